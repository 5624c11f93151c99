"""The force-generation workspace (issue 14): pledges, requirements, plans as jobs, requests."""

from django.apps import AppConfig


class ForcegenConfig(AppConfig):
    """Django app of the pledge registry and the planners' workspace."""

    name = "bluehelmet.web.forcegen"
    label = "forcegen"
    verbose_name = "Force generation"
