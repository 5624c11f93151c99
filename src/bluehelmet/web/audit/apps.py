from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only access log."""

    name = "bluehelmet.web.audit"
    label = "audit"
