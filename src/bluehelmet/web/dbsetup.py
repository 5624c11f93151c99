"""Database set-up: migrate as the owner, then grant the application role what it needs.

The application role gets SELECT/INSERT/UPDATE/DELETE on the application's tables, except the
access log, reporter identities, inbound messages and report history (INSERT and SELECT only)
and reports and downgrades (never deleted); sequences usage.
It is neither superuser nor BYPASSRLS, so the row-level security policies apply to it.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import connections

NO_CHANGE = [
    "audit_accesslog",
    "reports_reporteridentity",
    "reports_inboundmessage",
    "reports_reportevent",
]
NO_DELETE = ["reports_report", "reports_downgrade"]
NO_CHANGE += ["forcegen_pledgestage", "forcegen_pledgeevent", "forcegen_requirementevent"]
NO_DELETE += ["forcegen_pledge", "forcegen_requirement", "forcegen_requestline"]


def app_role() -> str:
    """The role the application connects as (user of ``DATABASE_URL``)."""
    return str(connections["default"].settings_dict["USER"])


def grant_app_role(role: str | None = None) -> None:
    """Grant ``role`` (default: the application's) its privileges, as the owner connection."""
    role = role or app_role()
    owner = str(connections["owner"].settings_dict["USER"])
    if role == owner:
        return  # one role owns and uses the tables: FORCE ROW LEVEL SECURITY still applies
    quoted = connections["owner"].ops.quote_name(role)
    with connections["owner"].cursor() as cur:
        cur.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cur.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"
        )
        cur.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
        for table in NO_CHANGE:
            cur.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}")
        for table in NO_DELETE:
            cur.execute(f"REVOKE DELETE, TRUNCATE ON {table} FROM {quoted}")


def migrate(verbosity: int = 0) -> None:
    """Apply every migration as the owner, then :func:`grant_app_role`."""
    call_command("migrate", database="owner", interactive=False, verbosity=verbosity)
    grant_app_role()
