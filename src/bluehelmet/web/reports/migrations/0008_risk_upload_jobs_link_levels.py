"""Upload and risk jobs, the risk layer (under need-to-know), and link levels.

A link of a report to an incident is unique per report, owning organisation and the incident's
derived level (was: per report and organisation), so that a lower-cleared analyst never learns
from a refusal that a higher incident of their organisation holds the report. Existing links get
their incident's derived level (row-level security is lifted for the owner for that update only).
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

from bluehelmet.web.policy import rls_reverse_sql, rls_sql


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_membership_roles"),
        ("reports", "0007_need_to_know_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="RiskJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(db_index=True, max_length=64)),
                ("start", models.CharField(blank=True, max_length=10)),
                ("end", models.CharField(blank=True, max_length=10)),
                ("category", models.CharField(blank=True, max_length=30)),
                ("status", models.CharField(db_index=True, default="queued", max_length=10)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("lease_until", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
            ],
        ),
        migrations.CreateModel(
            name="RiskLayer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64)),
                ("year", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("cells", models.JSONField(blank=True, default=list)),
                ("events", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "classification",
                    models.CharField(
                        choices=[
                            ("unclassified", "unclassified"),
                            ("confidential", "confidential"),
                            ("strictly_confidential", "strictly confidential"),
                        ],
                        default="unclassified",
                        max_length=30,
                    ),
                ),
                ("owner", models.CharField(max_length=40)),
                (
                    "releasable_to",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=40),
                        blank=True,
                        default=list,
                        size=None,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="UploadJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file_name", models.CharField(max_length=200)),
                ("stored", models.CharField(max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("status", models.CharField(db_index=True, default="queued", max_length=10)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("lease_until", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
            ],
        ),
        migrations.RemoveConstraint(
            model_name="incidentreport",
            name="one_incident_per_report_and_owner",
        ),
        migrations.AddField(
            model_name="incidentreport",
            name="level",
            field=models.CharField(
                choices=[
                    ("unclassified", "unclassified"),
                    ("confidential", "confidential"),
                    ("strictly_confidential", "strictly confidential"),
                ],
                default="unclassified",
                max_length=30,
            ),
        ),
        migrations.RunSQL(
            [
                "ALTER TABLE reports_incidentreport NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE reports_incident NO FORCE ROW LEVEL SECURITY",
                "UPDATE reports_incidentreport l SET level = i.derived_classification "
                "FROM reports_incident i WHERE i.id = l.incident_id",
                "ALTER TABLE reports_incident FORCE ROW LEVEL SECURITY",
                "ALTER TABLE reports_incidentreport FORCE ROW LEVEL SECURITY",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name="incidentreport",
            constraint=models.UniqueConstraint(
                fields=("report", "owner", "level"), name="one_incident_per_report_owner_level"
            ),
        ),
        migrations.AddField(
            model_name="riskjob",
            name="membership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="risk_jobs",
                to="accounts.membership",
            ),
        ),
        migrations.AddConstraint(
            model_name="risklayer",
            constraint=models.UniqueConstraint(
                fields=("key", "owner"), name="one_risk_layer_per_input"
            ),
        ),
        migrations.AddField(
            model_name="uploadjob",
            name="membership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="upload_jobs",
                to="accounts.membership",
            ),
        ),
        migrations.AddField(
            model_name="uploadjob",
            name="upload",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="job",
                to="reports.upload",
            ),
        ),
        migrations.RunSQL(rls_sql("reports_risklayer"), rls_reverse_sql("reports_risklayer")),
    ]
