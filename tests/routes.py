"""Every route of the URL configuration, with sample keywords: for tests generated from it.

The query-count and hostile-text tests walk the resolver rather than a hand-kept list, so
a new page or endpoint is covered (or must be excused) without anyone remembering it.
"""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.pages import first

# Routes whose sample answers a redirect: a permanent URL of the version now served.
REDIRECTS = {"versioned"}
# Routes the generated tests do not request, and why. Anything else is covered.
NOT_COVERED = {
    "admin:": "Django's admin, for logged-in editors only, with its own tests",
}


def _walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern), pattern


def routes():
    """``(name, pattern)`` for every named route outside ``NOT_COVERED``."""
    found = []
    for name, _route, pattern in _walk(get_resolver()):
        if any(name.startswith(prefix) for prefix in NOT_COVERED):
            continue
        found.append((name, pattern))
    return found


def _model(pattern):
    """The model a detail route shows (a DRF viewset's or a Django view's)."""
    callback = pattern.callback
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else getattr(view, "model", None)


def sample_keywords():
    """Keywords that name no record: a data version, a path under a permanent URL."""
    from ocpo.kb import data_version

    return {"version": data_version(), "path": "missions/"}


def model_of(pattern):
    """The model a route with keywords names, or None for a route without keywords (or
    whose keywords all have samples)."""
    keywords = set(pattern.pattern.regex.groupindex)
    if not keywords or keywords <= set(sample_keywords()):
        return None
    model = _model(pattern)
    assert model is not None, f"{pattern.name}: cannot tell which model its URL names"
    return model


def url_for(name, pattern, record=None):
    """The route's URL; a route with keywords takes them from ``record`` (by default the
    first, most linked, record of its model): the field of that name, else its natural key."""
    model = model_of(pattern)
    if model is None:
        samples = sample_keywords()
        keywords = pattern.pattern.regex.groupindex
        return (
            reverse(name, kwargs={k: samples[k] for k in keywords}) if keywords else reverse(name)
        )
    record = record or first(model)
    fields = {field.name for field in model._meta.fields}
    kwargs = {}
    for keyword in pattern.pattern.regex.groupindex:
        if keyword == "pk":
            kwargs[keyword] = record.pk
        elif keyword in fields:
            kwargs[keyword] = getattr(record, keyword)
        else:
            kwargs[keyword] = record.natural_key()[0]
    return reverse(name, kwargs=kwargs)


def sample_url(name, pattern):
    return url_for(name, pattern)
