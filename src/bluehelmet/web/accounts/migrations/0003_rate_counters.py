"""Rate-limit counters shared by every web server process (:mod:`bluehelmet.web.ratelimit`)."""

from django.db import migrations

from bluehelmet.web.ratelimit import TABLE


class Migration(migrations.Migration):
    """One row per counter: its key, value and expiry (not model state: a cache table)."""

    dependencies = [("accounts", "0002_alter_membership_roles")]
    operations = [
        migrations.RunSQL(
            [
                f"CREATE TABLE {TABLE} (key varchar(250) PRIMARY KEY, value bigint NOT NULL, "
                "expires timestamptz NOT NULL)"
            ],
            [f"DROP TABLE {TABLE}"],
        )
    ]
