from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Reports and community alerts under need-to-know."""

    name = "bluehelmet.web.reports"
    label = "reports"
