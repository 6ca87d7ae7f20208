
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interfaces', '0006_link_basis'),
        ('missions', '0007_council_text'),
    ]

    operations = [
        migrations.AddField(
            model_name='finding',
            name='quoted_document',
            field=models.ForeignKey(blank=True, help_text="The document whose words the quotation is; empty for the paper's own words.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='quoted_in', to='missions.document'),
        ),
        migrations.AddField(
            model_name='finding',
            name='quoted_speaker',
            field=models.CharField(blank=True, help_text='Who is quoted when the document is not recorded (e.g. an SG report).', max_length=200),
        ),
    ]
