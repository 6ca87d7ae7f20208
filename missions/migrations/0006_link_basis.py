import django.db.models.deletion
from django.db import migrations, models


def _check_now(schema_editor):
    """PostgreSQL defers foreign key checks to the commit; the schema changes that follow in
    this migration cannot run while they are pending, so they are checked now."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def copy_links(field, through, old_target, target):
    """Copy the old links into the new through model; each becomes one the paper states.

    Until this edition a link had no basis and every count treated it as the paper's; the
    fixtures (loaded after migrating) then mark the editors' links with their reasons.
    """

    def forward(apps, schema_editor):
        owner_model = apps.get_model("missions", "document")
        old = getattr(owner_model, field).through
        new = apps.get_model("missions", through)
        rows = old.objects.values_list("document_id", f"{old_target}_id")
        new.objects.bulk_create(
            new(**{"document_id": owner, f"{target}_id": linked, "basis": "paper"})
            for owner, linked in rows
        )
        _check_now(schema_editor)

    def backward(apps, schema_editor):
        owner_model = apps.get_model("missions", "document")
        old = getattr(owner_model, field).through
        new = apps.get_model("missions", through)
        rows = new.objects.values_list("document_id", f"{target}_id")
        old.objects.bulk_create(
            old(**{"document_id": owner, f"{old_target}_id": linked}) for owner, linked in rows
        )
        _check_now(schema_editor)

    return migrations.RunPython(forward, backward)


class Migration(migrations.Migration):
    """Links gain a basis: through models replace the plain many-to-many tables, data kept."""

    dependencies = [
        ("missions", "0005_key_upper_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentCountry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("paper", "Stated by the paper"),
                            ("editors", "The editors' inference"),
                        ],
                        db_index=True,
                        max_length=8,
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Why the editors drew this link (required when they did).",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="document_links",
                        to="missions.country",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="country_links",
                        to="missions.document",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "document countries",
                "ordering": ["document", "country__name"],
            },
        ),
        copy_links("countries", "DocumentCountry", "country", "country"),
        migrations.RemoveField(model_name="document", name="countries"),
        migrations.AddField(
            model_name="document",
            name="countries",
            field=models.ManyToManyField(
                blank=True,
                related_name="documents",
                through="missions.DocumentCountry",
                to="missions.country",
            ),
        ),
        migrations.CreateModel(
            name="DocumentMission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("paper", "Stated by the paper"),
                            ("editors", "The editors' inference"),
                        ],
                        db_index=True,
                        max_length=8,
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Why the editors drew this link (required when they did).",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mission_links",
                        to="missions.document",
                    ),
                ),
                (
                    "mission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="document_links",
                        to="missions.mission",
                    ),
                ),
            ],
            options={
                "ordering": ["document", "mission__acronym"],
            },
        ),
        copy_links("missions", "DocumentMission", "mission", "mission"),
        migrations.RemoveField(model_name="document", name="missions"),
        migrations.AddField(
            model_name="document",
            name="missions",
            field=models.ManyToManyField(
                blank=True,
                related_name="documents",
                through="missions.DocumentMission",
                to="missions.mission",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentcountry",
            constraint=models.UniqueConstraint(
                fields=("document", "country"), name="document_country_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="documentcountry",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["paper", "editors"])),
                name="document_country_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentcountry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "editors"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="document_country_editors_give_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentmission",
            constraint=models.UniqueConstraint(
                fields=("document", "mission"), name="document_mission_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="documentmission",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["paper", "editors"])),
                name="document_mission_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentmission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "editors"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="document_mission_editors_give_reason",
            ),
        ),
    ]
