"""Full-text search indexes: GIN indexes on exactly the vectors ``QuerySet.search`` uses.

PostgreSQL only (SQLite has no full-text vectors: there ``search`` falls back to
icontains), so the migrations that create them run these functions on PostgreSQL alone.
"""

from django.contrib.postgres.indexes import GinIndex


def search_index(model_name, fields):
    from missions.models import SearchableQuerySet

    return GinIndex(SearchableQuerySet.search_vector(fields), name=f"{model_name}_search_idx")


def search_index_operations(app_label, searched):
    """forward/backward functions for RunPython, adding one index per searched model."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name, fields in searched.items():
            model = apps.get_model(app_label, model_name)
            schema_editor.add_index(model, search_index(model_name, fields))

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name, fields in searched.items():
            model = apps.get_model(app_label, model_name)
            schema_editor.remove_index(model, search_index(model_name, fields))

    return forward, backward
