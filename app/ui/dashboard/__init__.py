"""The supervision dashboard tab: figures, deadlines, charts and the .xlsx export.

:mod:`app.ui.dashboard.launcher` (the main window's action) is light; the view, the services and
the charts load on first use (:mod:`app.ui.dashboard.view`), keeping them off the start-up path.
"""
