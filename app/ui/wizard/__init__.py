"""The case-entry wizard: generated from an entry standard, keyboard-first, autosaved drafts."""
