from django.db import migrations

from ocpo.search import index_operations

# The own fields of each model's search_fields, in order (the first weighs most).
SEARCHED = {
    "illicitactivity": ("name", "description"),
    "interface": ("title", "summary"),
    "mechanism": ("description",),
    "finding": ("title", "summary", "quotation", "actors"),
    "question": ("text", "editorial_note"),
}


class Migration(migrations.Migration):
    """Full-text indexes kept by the database: FTS5 tables (SQLite), tsvector columns (PostgreSQL)."""

    dependencies = [("interfaces", "0002_search_indexes"), ("missions", "0003_full_text")]

    operations = [migrations.RunPython(*index_operations("interfaces", SEARCHED))]
