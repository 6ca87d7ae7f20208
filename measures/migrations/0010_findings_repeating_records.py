"""Findings that only repeat an Annex example or a Box 2 function link to it: a link table
from examples and from police functions to findings, each row with its basis (the paper's
or the editors', with their reason), as the other links have. Reversible: the tables are
new and dropping them loses only these links.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interfaces', '0010_source_records'),
        ('measures', '0009_source_records'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApplicationFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('basis', models.CharField(choices=[('paper', 'Stated by the paper'), ('editors', "The editors' inference")], db_index=True, max_length=8)),
                ('reason', models.TextField(blank=True, help_text='Why the editors drew this link (required when they did).')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='finding_links', to='measures.measureapplication')),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='application_links', to='interfaces.finding')),
            ],
            options={
                'ordering': ['application', 'finding__slug'],
            },
        ),
        migrations.AddField(
            model_name='measureapplication',
            name='repeated_in',
            field=models.ManyToManyField(blank=True, help_text='Findings that repeat this example.', related_name='repeated_applications', through='measures.ApplicationFinding', to='interfaces.finding'),
        ),
        migrations.CreateModel(
            name='PoliceFunctionFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('basis', models.CharField(choices=[('paper', 'Stated by the paper'), ('editors', "The editors' inference")], db_index=True, max_length=8)),
                ('reason', models.TextField(blank=True, help_text='Why the editors drew this link (required when they did).')),
                ('finding', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='police_function_links', to='interfaces.finding')),
                ('police_function', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='finding_links', to='measures.policefunction')),
            ],
            options={
                'ordering': ['police_function', 'finding__slug'],
            },
        ),
        migrations.AddField(
            model_name='policefunction',
            name='repeated_in',
            field=models.ManyToManyField(blank=True, help_text='Findings that repeat this function.', related_name='repeated_police_functions', through='measures.PoliceFunctionFinding', to='interfaces.finding'),
        ),
        migrations.AddConstraint(
            model_name='applicationfinding',
            constraint=models.UniqueConstraint(fields=('application', 'finding'), name='application_finding_unique'),
        ),
        migrations.AddConstraint(
            model_name='applicationfinding',
            constraint=models.CheckConstraint(condition=models.Q(('basis__in', ['paper', 'editors'])), name='application_finding_basis_valid'),
        ),
        migrations.AddConstraint(
            model_name='applicationfinding',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('basis', 'editors'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='application_finding_editors_give_reason'),
        ),
        migrations.AddConstraint(
            model_name='policefunctionfinding',
            constraint=models.UniqueConstraint(fields=('police_function', 'finding'), name='police_function_finding_unique'),
        ),
        migrations.AddConstraint(
            model_name='policefunctionfinding',
            constraint=models.CheckConstraint(condition=models.Q(('basis__in', ['paper', 'editors'])), name='police_function_finding_basis_valid'),
        ),
        migrations.AddConstraint(
            model_name='policefunctionfinding',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('basis', 'editors'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='police_function_finding_editors_give_reason'),
        ),
    ]
