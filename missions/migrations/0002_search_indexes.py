from django.db import migrations


class Migration(migrations.Migration):
    """Superseded by 0003_full_text, which drops this migration's expression indexes."""

    dependencies = [("missions", "0001_initial")]

    operations = []
