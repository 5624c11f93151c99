"""The gazetteer's names in PostgreSQL, for place picking (:mod:`bluehelmet.web.reports.places`).

The library's gazetteer is built once here (seconds) and copied into the table, so no request
ever builds it. A later change of the bundled gazetteer needs a migration that loads it again.
"""

from typing import Any

from django.db import migrations, models


def load_places(apps: Any, schema_editor: Any) -> None:
    """Copy the gazetteer into the new table."""
    from bluehelmet.web.reports.places import load

    load(schema_editor.connection)


def empty_places(apps: Any, schema_editor: Any) -> None:
    """Nothing to undo: the table is dropped."""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_risk_upload_jobs_link_levels"),
    ]

    operations = [
        migrations.CreateModel(
            name="Place",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                ("name", models.CharField(max_length=200)),
                ("name_as_written", models.CharField(max_length=200)),
                ("longitude", models.FloatField()),
                ("latitude", models.FloatField()),
                ("precision_km", models.FloatField()),
                ("source", models.CharField(max_length=300)),
                ("rank", models.PositiveIntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["key"], name="place_key_prefix", opclasses=["varchar_pattern_ops"]
                    )
                ],
            },
        ),
        migrations.RunPython(load_places, empty_places),
    ]
