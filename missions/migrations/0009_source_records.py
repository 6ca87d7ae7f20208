"""Provenance points to a source record, no longer to a choice of "paper" or "editors";
the section is a code checked against that source's sections.

``source`` becomes a foreign key to ``sources.Source`` by slug, in the same column: the
values it held ("paper", "editors") are the slugs of the two sources ``sources`` 0002
creates. ``paper_section`` is renamed ``section`` and loses its fixed choices (the paper's
sections are ``sources.SourceSection`` records now). Reversible: nothing is rewritten.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('missions', '0008_record_timestamps'),
        ('sources', '0002_paper_and_editors'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='document',
            name='document_source_valid',
        ),
        migrations.RemoveConstraint(
            model_name='document',
            name='document_paper_cites_section',
        ),
        migrations.RemoveConstraint(
            model_name='mission',
            name='mission_source_valid',
        ),
        migrations.RemoveConstraint(
            model_name='mission',
            name='mission_paper_cites_section',
        ),
        migrations.RenameField(
            model_name="document",
            old_name="paper_section",
            new_name="section",
        ),
        migrations.AlterField(
            model_name="document",
            name="section",
            field=models.CharField(
                blank=True,
                help_text="The section of the source where this is stated, by its code ('II.1').",
                max_length=12,
            ),
        ),
        migrations.RenameField(
            model_name="mission",
            old_name="paper_section",
            new_name="section",
        ),
        migrations.AlterField(
            model_name="mission",
            name="section",
            field=models.CharField(
                blank=True,
                help_text="The section of the source where this is stated, by its code ('II.1').",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name='document',
            name='source',
            field=models.ForeignKey(db_column='source', default='paper', help_text='Where the facts come from: the slug of a source (`paper`), or `editors`.', on_delete=django.db.models.deletion.PROTECT, related_name='%(class)s_records', to='sources.source', to_field='slug'),
        ),
        migrations.AlterField(
            model_name='mission',
            name='source',
            field=models.ForeignKey(db_column='source', default='paper', help_text='Where the facts come from: the slug of a source (`paper`), or `editors`.', on_delete=django.db.models.deletion.PROTECT, related_name='%(class)s_records', to='sources.source', to_field='slug'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(('source', 'editors'), models.Q(('section', ''), _negated=True), _connector='OR'), name='document_source_cites_section'),
        ),
        migrations.AddConstraint(
            model_name='mission',
            constraint=models.CheckConstraint(condition=models.Q(('source', 'editors'), models.Q(('section', ''), _negated=True), _connector='OR'), name='mission_source_cites_section'),
        ),
    ]
