"""Build tooling for the frozen desktop app (installer/README.md)."""
