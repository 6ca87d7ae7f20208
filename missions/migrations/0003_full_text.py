from django.db import migrations

from ocpo.search import create_pg_config, index_operations

# The own fields of each model's search_fields, in order (the first weighs most).
SEARCHED = {
    "country": ("name", "iso3", "region"),
    "document": ("title", "symbol", "author", "description", "publication"),
    "mission": ("acronym", "name", "summary"),
}


def text_search_configuration(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        create_pg_config(schema_editor)


class Migration(migrations.Migration):
    """Full-text indexes kept by the database: FTS5 tables (SQLite), tsvector columns (PostgreSQL)."""

    dependencies = [("missions", "0002_search_indexes")]

    operations = [
        migrations.RunPython(text_search_configuration, migrations.RunPython.noop),
        migrations.RunPython(*index_operations("missions", SEARCHED)),
    ]
