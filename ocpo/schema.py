"""The OpenAPI schema class (``DEFAULT_SCHEMA_CLASS``), kept apart from ``ocpo/api.py``.

DRF imports the schema class while ``ocpo/api.py`` is still importing the viewsets, so the
class lives in a module that imports no app.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly

from .middleware import DATA_VERSION_HEADER
from .problems import PROBLEM_MEDIA_TYPE
from .rest import CSV_DESCRIPTION, ETAG_DESCRIPTION, IF_MATCH, CSVRenderer, KBViewSetMixin

PROBLEM_SCHEMA = {
    "type": "object",
    "description": (
        "An RFC 9457 problem document (`application/problem+json`), the format of every "
        "error of this API. `type` is `about:blank`: the status and `code` say what happened. "
        "A refused request names each refused value in `errors`."
    ),
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "Always `about:blank` (RFC 9457 4.2.1)."},
        "title": {"type": "string", "description": "The HTTP status phrase, e.g. `Not Found`."},
        "status": {
            "type": "integer",
            "minimum": 400,
            "maximum": 599,
            "description": "The HTTP status code of this answer.",
        },
        "code": {
            "type": "string",
            "description": (
                "What went wrong, for programs: `invalid`, `not_found`, `not_acceptable`, "
                "`not_authenticated`, `authentication_failed`, `permission_denied`, "
                "`method_not_allowed`, `unsupported_media_type`, `parse_error`, `conflict`, "
                "`precondition_failed`, `payload_too_large`, `length_required`, `throttled`, "
                "`error` (500), `service_unavailable`."
            ),
        },
        "detail": {"type": "string", "description": "What went wrong, in a sentence."},
        "errors": {
            "type": "array",
            "description": "Each refused value: a query parameter or a field of the body.",
            "items": {
                "type": "object",
                "required": ["name", "in", "code", "detail"],
                "properties": {
                    "name": {
                        "type": "string",
                        "nullable": True,
                        "description": (
                            "The parameter or field; nested fields are dotted "
                            "(`missions.2`), `non_field_errors` is the record as a whole."
                        ),
                    },
                    "in": {
                        "type": "string",
                        "enum": ["query", "body"],
                        "description": "A query parameter, or a field of the JSON body.",
                    },
                    "code": {
                        "type": "string",
                        "description": "e.g. `unknown_parameter`, `invalid`, `required`.",
                    },
                    "detail": {"type": "string", "description": "Why it was refused."},
                    "pointer": {
                        "type": "string",
                        "description": "In the body: a JSON pointer (RFC 6901) to the field.",
                    },
                },
            },
        },
        "accepted": {
            "type": "array",
            "items": {"type": "string"},
            "description": "With an unknown parameter or format: the ones this operation takes.",
        },
        "blocking": {
            "type": "array",
            "items": {"type": "string"},
            "description": "With 409: some of the records that depend on this one.",
        },
    },
    "additionalProperties": True,
}
READ_ERRORS = {
    "400": "A parameter is unknown (`errors` names it, `accepted` lists the others) or unreadable.",
    "404": "No such record, or an `offset` past the last one.",
    "406": "`format` (or `Accept`) names no format this operation answers in.",
}
WRITE_ERRORS = {
    "400": "The record is invalid (`errors` names each field and why).",
    "401": "No credentials, or invalid ones (`WWW-Authenticate` says how to send a token).",
    "403": "Not an editor.",
    "411": "A chunked body: send `Content-Length`.",
    "413": "The request body is too large.",
    "415": "Unsupported request body media type: send JSON.",
}
# Errors every operation of a kind can answer, beside its success.
ERRORS = {
    "list": READ_ERRORS,
    "retrieve": READ_ERRORS,
    "create": WRITE_ERRORS,
    "update": {
        **WRITE_ERRORS,
        "404": "No such record.",
        "412": "`If-Match` is not the record's current `ETag`: nothing was changed.",
    },
    "destroy": {
        "401": WRITE_ERRORS["401"],
        "403": "Not an editor.",
        "404": "No such record.",
        "409": "Other records depend on this one (`blocking` names some).",
        "412": "`If-Match` is not the record's current `ETag`: nothing was deleted.",
    },
}
DEFAULT_ERROR = "Any other error (405, 500, 503 ...), in the same format."
ERRORS["partial_update"] = ERRORS["update"]


def _empty_is_not_a_value(schema):
    """A number, a date or a choice, which an empty string is not (free text and lists take
    it): empty, such a parameter is as if not given."""
    return (
        schema.get("type") in ("integer", "number", "boolean")
        or "format" in schema
        or "enum" in schema
    )


ETAG_HEADER = {"schema": {"type": "string"}, "description": ETAG_DESCRIPTION}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, completed: CSV lists, path keys and the data version header."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        writes = ("update", "partial_update", "destroy")
        if isinstance(self.view, KBViewSetMixin) and getattr(self.view, "action", None) in writes:
            parameters = [*parameters, IF_MATCH]
        return parameters

    def get_auth(self):
        # Anyone may read: credentials are optional on safe methods.
        auths = super().get_auth()
        anyone_reads = any(
            isinstance(p, DjangoModelPermissionsOrAnonReadOnly) for p in self.view.get_permissions()
        )
        if auths and anyone_reads and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        if isinstance(self.view, KBViewSetMixin) or hasattr(self.view, "error_responses"):
            self._add_errors_and_etags(operation)
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and _empty_is_not_a_value(parameter["schema"]):
                # An empty value is as if the parameter were not given (HTML forms send them).
                parameter["allowEmptyValue"] = True
            items = parameter["schema"].get("items", {})
            if parameter["in"] == "query" and "enum" in items:
                # A key filter takes any value (an unknown one matches nothing): the known
                # values are listed, not enforced. (Copied: the filter's schema is shared.)
                known = ", ".join(f"`{value}`" for value in items["enum"])
                unlisted = {k: v for k, v in items.items() if k != "enum"}
                parameter["schema"] = {**parameter["schema"], "items": unlisted}
                parameter["description"] = f"{parameter.get('description', '')} Known: {known}."
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

    def _add_errors_and_etags(self, operation):
        """The error answers of a knowledge-base operation, its ETag and 412 (``ocpo.rest``)."""
        action = getattr(self.view, "action", None)
        responses = operation.setdefault("responses", {})
        if action in ("retrieve", "update", "partial_update") and "200" in responses:
            responses["200"].setdefault("headers", {})["ETag"] = ETAG_HEADER
        errors = dict(ERRORS.get(action, {}))
        errors.update(getattr(self.view, "error_responses", {}))
        if self.view.get_throttles():
            errors["429"] = "Too many requests: try again after `Retry-After` seconds."
        if not errors:
            return
        component = ResolvedComponent(
            name="Problem", type=ResolvedComponent.SCHEMA, object="Problem", schema=PROBLEM_SCHEMA
        )
        self.registry.register_on_missing(component)
        content = {PROBLEM_MEDIA_TYPE: {"schema": component.ref}}
        for code, description in {**errors, "default": DEFAULT_ERROR}.items():
            responses.setdefault(code, {"content": content, "description": description})
