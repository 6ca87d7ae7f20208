"""``{% cite_this %}``: the "Cite this" links of a page, for its record, its filtered list or,
elsewhere, the knowledge base as a whole."""

from urllib.parse import urlencode

from django import template

from ocpo import citations

register = template.Library()

STYLE_LABELS = {
    "apa": "APA",
    "chicago": "Chicago",
    "bibtex": "BibTeX",
    "ris": "RIS",
    "csl-json": "CSL-JSON",
}


def api_prefixes():
    from ocpo.api import router

    return {viewset.queryset.model: prefix for prefix, viewset, _ in router.registry}


@register.inclusion_tag("partials/cite_this.html", takes_context=True)
def cite_this(context):
    request = context.get("request")
    obj = context.get("object")
    filterset = context.get("filter")
    prefixes = api_prefixes()
    if obj is not None and type(obj) in prefixes:
        base = f"/api/v1/{prefixes[type(obj)]}/{obj.natural_key()[0]}/cite/"
        what = f"this {obj._meta.verbose_name}"
        params = []
    elif filterset is not None and filterset.queryset.model in prefixes:
        base = f"/api/v1/{prefixes[filterset.queryset.model]}/cite/"
        what = "this list" + (" with its filters" if request and request.GET else "")
        names = set(filterset.base_filters) | {"search"}
        params = [
            (name, value)
            for name in sorted(names)
            for value in (request.GET.getlist(name) if request else [])
            if value.strip()
        ]
    else:
        base, what, params = "/api/v1/cite/", "the knowledge base", []
    links = [
        (STYLE_LABELS[style], f"{base}?{urlencode([*params, ('style', style)])}")
        for style in citations.STYLES
    ]
    return {"what": what, "links": links, "data_version": context.get("data_version")}
