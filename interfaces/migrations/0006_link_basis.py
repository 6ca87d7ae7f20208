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
        owner_model = apps.get_model("interfaces", "finding")
        old = getattr(owner_model, field).through
        new = apps.get_model("interfaces", through)
        rows = old.objects.values_list("finding_id", f"{old_target}_id")
        new.objects.bulk_create(
            new(**{"finding_id": owner, f"{target}_id": linked, "basis": "paper"})
            for owner, linked in rows
        )
        _check_now(schema_editor)

    def backward(apps, schema_editor):
        owner_model = apps.get_model("interfaces", "finding")
        old = getattr(owner_model, field).through
        new = apps.get_model("interfaces", through)
        rows = new.objects.values_list("finding_id", f"{target}_id")
        old.objects.bulk_create(
            old(**{"finding_id": owner, f"{old_target}_id": linked}) for owner, linked in rows
        )
        _check_now(schema_editor)

    return migrations.RunPython(forward, backward)


class Migration(migrations.Migration):
    """Links gain a basis: through models replace the plain many-to-many tables, data kept."""

    dependencies = [
        ("interfaces", "0005_key_upper_indexes"),
        ("missions", "0006_link_basis"),
    ]

    operations = [
        migrations.CreateModel(
            name="FindingActivity",
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
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="finding_links",
                        to="interfaces.illicitactivity",
                    ),
                ),
                (
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activity_links",
                        to="interfaces.finding",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "finding activities",
                "ordering": ["finding", "activity__name"],
            },
        ),
        copy_links("activities", "FindingActivity", "illicitactivity", "activity"),
        migrations.RemoveField(model_name="finding", name="activities"),
        migrations.AddField(
            model_name="finding",
            name="activities",
            field=models.ManyToManyField(
                blank=True,
                related_name="findings",
                through="interfaces.FindingActivity",
                to="interfaces.illicitactivity",
                verbose_name="illicit activities",
            ),
        ),
        migrations.CreateModel(
            name="FindingCountry",
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
                        related_name="finding_links",
                        to="missions.country",
                    ),
                ),
                (
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="country_links",
                        to="interfaces.finding",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "finding countries",
                "ordering": ["finding", "country__name"],
            },
        ),
        copy_links("countries", "FindingCountry", "country", "country"),
        migrations.RemoveField(model_name="finding", name="countries"),
        migrations.AddField(
            model_name="finding",
            name="countries",
            field=models.ManyToManyField(
                blank=True,
                related_name="findings",
                through="interfaces.FindingCountry",
                to="missions.country",
            ),
        ),
        migrations.CreateModel(
            name="FindingDocument",
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
                        related_name="finding_links",
                        to="missions.document",
                    ),
                ),
                (
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="document_links",
                        to="interfaces.finding",
                    ),
                ),
            ],
            options={
                "ordering": ["finding", "document__year", "document__slug"],
            },
        ),
        copy_links("documents", "FindingDocument", "document", "document"),
        migrations.RemoveField(model_name="finding", name="documents"),
        migrations.AddField(
            model_name="finding",
            name="documents",
            field=models.ManyToManyField(
                blank=True,
                related_name="findings",
                through="interfaces.FindingDocument",
                to="missions.document",
            ),
        ),
        migrations.CreateModel(
            name="FindingMission",
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
                    "finding",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mission_links",
                        to="interfaces.finding",
                    ),
                ),
                (
                    "mission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="finding_links",
                        to="missions.mission",
                    ),
                ),
            ],
            options={
                "ordering": ["finding", "mission__acronym"],
            },
        ),
        copy_links("missions", "FindingMission", "mission", "mission"),
        migrations.RemoveField(model_name="finding", name="missions"),
        migrations.AddField(
            model_name="finding",
            name="missions",
            field=models.ManyToManyField(
                blank=True,
                related_name="findings",
                through="interfaces.FindingMission",
                to="missions.mission",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingactivity",
            constraint=models.UniqueConstraint(
                fields=("finding", "activity"), name="finding_activity_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="findingactivity",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["paper", "editors"])),
                name="finding_activity_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingactivity",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "editors"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="finding_activity_editors_give_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingcountry",
            constraint=models.UniqueConstraint(
                fields=("finding", "country"), name="finding_country_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="findingcountry",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["paper", "editors"])),
                name="finding_country_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingcountry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "editors"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="finding_country_editors_give_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingdocument",
            constraint=models.UniqueConstraint(
                fields=("finding", "document"), name="finding_document_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="findingdocument",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["paper", "editors"])),
                name="finding_document_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingdocument",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "editors"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="finding_document_editors_give_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingmission",
            constraint=models.UniqueConstraint(
                fields=("finding", "mission"), name="finding_mission_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="findingmission",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["paper", "editors"])),
                name="finding_mission_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="findingmission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "editors"), _negated=True),
                    models.Q(("reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="finding_mission_editors_give_reason",
            ),
        ),
    ]
