"""The scan dialog and its page editor (Qt); the work itself is in app.documents."""
