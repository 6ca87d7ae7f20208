
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('missions', '0006_link_basis'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='document',
            name='document_kind_valid',
        ),
        migrations.AlterField(
            model_name='document',
            name='kind',
            field=models.CharField(choices=[('resolution', 'Security Council resolution'), ('presidential_statement', 'Security Council presidential statement'), ('sg_report', 'Report of the Secretary-General'), ('panel_report', 'Report of an expert panel'), ('un_report', 'Other UN report'), ('policy', 'Policy or guidance'), ('strategy', 'Security strategy'), ('academic', 'Academic work'), ('council_text', 'Security Council text (form not given)')], db_index=True, max_length=24),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['resolution', 'presidential_statement', 'sg_report', 'panel_report', 'un_report', 'policy', 'strategy', 'academic', 'council_text'])), name='document_kind_valid'),
        ),
    ]
