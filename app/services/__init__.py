"""Use cases that combine domain rules and the store; no Qt. Each returns what changed."""
