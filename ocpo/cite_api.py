"""``/api/v1/<resource>/<key>/cite/`` and ``/api/v1/<resource>/cite/``: citations of a record
or of a filtered list, for every resource the router serves, in every style of
``ocpo.citations``."""

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from . import citations

STYLE = OpenApiParameter(
    "style",
    OpenApiTypes.STR,
    enum=list(citations.STYLES),
    description="Citation format: `apa`, `chicago` (author-date), `bibtex`, `ris` or "
    "`csl-json` (the default).",
)
CSL_ITEMS = {
    "type": "array",
    "items": {"type": "object", "description": "A CSL-JSON item."},
    "description": "CSL-JSON: one item, the citation's data.",
}
RESPONSES = {
    (200, content_type.split(";")[0]): OpenApiResponse(
        CSL_ITEMS if "csl+json" in content_type else OpenApiTypes.STR
    )
    for content_type in sorted(set(citations.CONTENT_TYPES.values()))
}


# The errors a citation route answers (as RFC 9457 problems, documented by ocpo.schema).
ERROR_RESPONSES = {
    "400": "An unknown style, filter or parameter: the problem names it.",
    "404": "No record with that key.",
    "406": "A format other than the citation styles was asked for.",
}


def cite_operation(operation_id, summary, tag):
    """The schema of a citation route: the style parameter and every format it answers in."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[STYLE],
        responses=RESPONSES,
        tags=[tag],
    )


def documented(view):
    """Marks an ``api_view`` so that the schema lists its error answers."""
    view.cls.error_responses = ERROR_RESPONSES
    return view


def style_of(request):
    style = request.query_params.get("style", "csl-json")
    if style not in citations.STYLES:
        raise ValidationError({"style": [f"Unknown style; one of: {', '.join(citations.STYLES)}."]})
    return style


def citation_response(item, style):
    response = HttpResponse(
        citations.render(item, style), content_type=citations.CONTENT_TYPES[style]
    )
    extension = {"bibtex": "bib", "ris": "ris", "csl-json": "json"}.get(style)
    if extension:
        response["Content-Disposition"] = f'inline; filename="{item["id"]}.{extension}"'
    return response


def site(request):
    return request.build_absolute_uri("/")


def record_view(prefix, viewset_class):
    @cite_operation(f"{prefix}_cite", "Cite this record", prefix)
    @api_view(["GET"])
    @permission_classes([AllowAny])
    def cite_record(request, **kwargs):
        style = style_of(request)
        viewset = viewset_class(request=request, kwargs=kwargs, format_kwarg=None)
        viewset.action = "retrieve"
        obj = viewset.get_object()
        return citation_response(citations.for_record(site(request), obj), style)

    cite_record.cls.queryset = viewset_class.queryset  # names the model, for the schema too
    return documented(cite_record)


def list_view(prefix, viewset_class):
    @cite_operation(f"{prefix}_list_cite", "Cite this list, with the filters given", prefix)
    @api_view(["GET"])
    @permission_classes([AllowAny])
    def cite_list(request):
        style = style_of(request)
        filterset_class = viewset_class.filterset_class
        accepted = {*filterset_class.base_filters, "search", "style"}
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            raise ValidationError(
                {
                    name: [f"Unknown parameter; accepted: {', '.join(sorted(accepted))}."]
                    for name in unknown
                }
            )
        filterset = filterset_class(
            request.query_params, queryset=viewset_class.queryset.model.objects.none()
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        in_force = [
            (name, [v.strip() for v in request.query_params.getlist(name) if v.strip()])
            for name in sorted(accepted - {"style"})
        ]
        in_force = [(name, values) for name, values in in_force if values]
        query = "&".join(f"{n}={','.join(v)}" for n, v in in_force)
        page = f"/api/v1/{prefix}/" + (f"?{query}" if query else "")
        item = citations.for_list(site(request), page, viewset_class.queryset.model, in_force)
        return citation_response(item, style)

    return documented(cite_list)


@cite_operation(
    "knowledge_base_cite", "Cite the knowledge base as a whole, at its current version", "cite"
)
@api_view(["GET"])
@permission_classes([AllowAny])
def cite_knowledge_base(request):
    return citation_response(citations.for_knowledge_base(site(request)), style_of(request))


documented(cite_knowledge_base)


def urls(router):
    """A cite route for each resource of ``router``, before the router's own routes."""
    patterns = [path("cite/", cite_knowledge_base, name="cite")]
    for prefix, viewset_class, basename in router.registry:
        patterns += [
            path(f"{prefix}/cite/", list_view(prefix, viewset_class), name=f"{basename}-list-cite"),
            path(
                f"{prefix}/<str:{viewset_class.lookup_field}>/cite/",
                record_view(prefix, viewset_class),
                name=f"{basename}-cite",
            ),
        ]
    return patterns
