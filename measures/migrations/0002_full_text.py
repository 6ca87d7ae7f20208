from django.db import migrations

from ocpo.search import index_operations

# The own fields of each model's search_fields, in order (the first weighs most).
SEARCHED = {
    "activityarea": ("name",),
    "measure": ("name", "description"),
    "measureapplication": ("label", "note"),
    "policefunction": ("name", "editorial_note"),
}


class Migration(migrations.Migration):
    """Full-text indexes kept by the database: FTS5 tables (SQLite), tsvector columns (PostgreSQL)."""

    dependencies = [("measures", "0001_initial"), ("missions", "0003_full_text")]

    operations = [migrations.RunPython(*index_operations("measures", SEARCHED))]
