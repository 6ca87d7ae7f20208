from django.db import migrations, models


def _check_now(schema_editor):
    """PostgreSQL defers foreign key checks to the commit; the schema changes that follow in
    this migration cannot run while they are pending, so they are checked now."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def places_stated_by_paper(apps, schema_editor):
    """Every existing place link becomes one the paper states; the fixtures mark the rest."""
    application = apps.get_model("measures", "MeasureApplication")
    application.objects.filter(mission__isnull=False).update(mission_basis="paper")
    application.objects.filter(country__isnull=False).update(country_basis="paper")
    _check_now(schema_editor)


class Migration(migrations.Migration):
    """An example's mission and country links gain a basis and, for the editors', a reason."""

    dependencies = [
        ("measures", "0004_key_upper_indexes"),
        ("missions", "0006_link_basis"),
    ]

    operations = [
        migrations.AddField(
            model_name="measureapplication",
            name="country_basis",
            field=models.CharField(
                blank=True,
                choices=[("paper", "Stated by the paper"), ("editors", "The editors' inference")],
                help_text="Empty without a country.",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="measureapplication",
            name="country_reason",
            field=models.TextField(
                blank=True,
                help_text="Why the editors linked this country (required when they did).",
            ),
        ),
        migrations.AddField(
            model_name="measureapplication",
            name="mission_basis",
            field=models.CharField(
                blank=True,
                choices=[("paper", "Stated by the paper"), ("editors", "The editors' inference")],
                help_text="Empty without a mission.",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="measureapplication",
            name="mission_reason",
            field=models.TextField(
                blank=True,
                help_text="Why the editors linked this mission (required when they did).",
            ),
        ),
        migrations.RunPython(places_stated_by_paper, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="measureapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("mission__isnull", True), ("mission_basis", "")),
                    models.Q(
                        ("mission__isnull", False), ("mission_basis__in", ["paper", "editors"])
                    ),
                    _connector="OR",
                ),
                name="application_mission_basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="measureapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("mission_basis", "editors"), _negated=True),
                    models.Q(("mission_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="application_mission_editors_give_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="measureapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("country__isnull", True), ("country_basis", "")),
                    models.Q(
                        ("country__isnull", False), ("country_basis__in", ["paper", "editors"])
                    ),
                    _connector="OR",
                ),
                name="application_country_basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="measureapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("country_basis", "editors"), _negated=True),
                    models.Q(("country_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="application_country_editors_give_reason",
            ),
        ),
    ]
