from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Organisations, memberships with assigned clearances, roles."""

    name = "bluehelmet.web.accounts"
    label = "accounts"
