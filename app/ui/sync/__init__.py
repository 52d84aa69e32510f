"""Sync in the desktop app: the status-bar indicator with "sync now" (app.sync does the work)."""
