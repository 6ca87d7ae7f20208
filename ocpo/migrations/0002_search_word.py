from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ocpo", "0001_synced_records")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=40, primary_key=True, serialize=False))],
            options={"ordering": ["word"]},
        ),
    ]
