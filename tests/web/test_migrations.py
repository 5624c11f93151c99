"""The models and the migrations agree: no model change waits for a migration."""

from typing import Any


def test_no_model_change_lacks_its_migration(platform: dict[str, Any]) -> None:
    from django.core.management import call_command

    # --check exits with status 1 (SystemExit) when a migration would be written
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
