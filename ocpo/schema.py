"""The OpenAPI schema class (``DEFAULT_SCHEMA_CLASS``), kept apart from ``ocpo/api.py``.

DRF imports the schema class while ``ocpo/api.py`` is still importing the viewsets, so the
class lives in a module that imports no app.
"""

from drf_spectacular import openapi

from .middleware import DATA_VERSION_HEADER
from .rest import CSV_DESCRIPTION, CSVRenderer


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, completed: CSV lists, path keys and the data version header."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        for parameter in operation.get("parameters", []):
            if parameter.get("description"):
                continue
            if parameter["in"] == "path" and model is not None:
                key = "numeric id" if parameter["name"] in ("id", "pk") else parameter["name"]
                also = " (or its numeric id)" if getattr(self.view, "lookup_by_id", False) else ""
                parameter["description"] = (
                    f"The {model._meta.verbose_name}'s {key}{also}, case-insensitive."
                )
            elif parameter["name"] == "format":
                parameter["description"] = (
                    "Response format: `json` (the default) or, on lists, `csv`."
                )
        for response in operation.get("responses", {}).values():
            response.setdefault("headers", {})[DATA_VERSION_HEADER] = {
                "schema": {"type": "string"},
                "description": "Version of the knowledge base that answered (cite it).",
            }
            content = response.get("content", {})
            if CSVRenderer.media_type in content:
                content[CSVRenderer.media_type] = {
                    "schema": {"type": "string", "description": CSV_DESCRIPTION}
                }
        return operation
