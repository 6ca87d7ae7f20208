
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0005_application_place_basis'),
    ]

    operations = [
        migrations.AddField(
            model_name='activityarea',
            name='editorial_note',
            field=models.TextField(blank=True, help_text="The editors' reading or correction of the Annex's wording."),
        ),
        migrations.AddField(
            model_name='measure',
            name='editorial_note',
            field=models.TextField(blank=True, help_text="The editors' reading or correction of the Annex's wording."),
        ),
        migrations.AlterField(
            model_name='activityarea',
            name='name',
            field=models.CharField(help_text='As the Annex prints it.', max_length=200, unique=True),
        ),
    ]
