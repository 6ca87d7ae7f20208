"""Every record says when it was created and last changed.

Records already here get the time of this migration as both (one moment for all, so that
the changes feed lists them as created, not as changed); from then on ``modified`` moves
only when a record's content does (``ocpo.models.Timestamped``).
"""

import django.utils.timezone
from django.db import migrations, models
from django.utils import timezone


def stamp_existing(apps, schema_editor):
    now = timezone.now()
    for name in ["IllicitActivity", "Interface", "Finding", "Question"]:
        apps.get_model("interfaces", name)._base_manager.update(created=now, modified=now)


class Migration(migrations.Migration):
    dependencies = [
        ("interfaces", "0008_finding_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="created",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record was created in this database (ISO 8601, UTC).",
            ),
        ),
        migrations.AddField(
            model_name="finding",
            name="modified",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record's content (its fields or the links it owns) last changed (ISO 8601, UTC); equal to `created` until then.",
            ),
        ),
        migrations.AddField(
            model_name="illicitactivity",
            name="created",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record was created in this database (ISO 8601, UTC).",
            ),
        ),
        migrations.AddField(
            model_name="illicitactivity",
            name="modified",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record's content (its fields or the links it owns) last changed (ISO 8601, UTC); equal to `created` until then.",
            ),
        ),
        migrations.AddField(
            model_name="interface",
            name="created",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record was created in this database (ISO 8601, UTC).",
            ),
        ),
        migrations.AddField(
            model_name="interface",
            name="modified",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record's content (its fields or the links it owns) last changed (ISO 8601, UTC); equal to `created` until then.",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="created",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record was created in this database (ISO 8601, UTC).",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="modified",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                help_text="When the record's content (its fields or the links it owns) last changed (ISO 8601, UTC); equal to `created` until then.",
            ),
        ),
        migrations.RunPython(stamp_existing, migrations.RunPython.noop, elidable=True),
    ]
