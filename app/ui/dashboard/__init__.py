"""The supervision dashboard window: figures, deadlines, charts and the .xlsx export."""

from app.ui.dashboard.view import DashboardView

__all__ = ["DashboardView"]
