"""Every list page and every filter, read from the URL configuration and the FilterSets.

``list_pages()`` finds the portal's FilterSet-driven list pages in the URLconf, so a new
list is covered without being listed here. ``spellings(view)`` gives, for each filter of
the page's FilterSet, the queries the API documents as equivalent ways of asking: the key,
the key in lower case, the number (where the filter takes one), two values repeated and
comma-separated (for an ``__all`` filter, two values some record has both of). Values are
taken from the database, choosing ones that select something.
"""

import re
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver

from ocpo.filters import KeyFilter
from ocpo.portal import FilteredListView


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def list_pages():
    """``[(path, view class)]`` of every FilterSet list page."""
    pages = []
    for route, callback in _patterns(get_resolver()):
        view = getattr(callback, "view_class", None)
        if view and issubclass(view, FilteredListView) and "<" not in route:
            pages.append(("/" + route, view))
    return pages


def _target(model, path):
    """The model and field a lookup path ends on (``missions__acronym`` -> Mission, acronym)."""
    *relations, field = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model, field


def _selects(filterset_class, queryset, name, value):
    filterset = filterset_class({name: value}, queryset=queryset)
    return filterset.is_valid() and filterset.qs.exists()


def _candidates(filter_, model):
    if isinstance(filter_, KeyFilter):
        target, field = _target(model, filter_.paths[0])
        return [str(v) for v in target._default_manager.values_list(field, flat=True) if v]
    try:
        field = model._meta.get_field(filter_.field_name)
    except Exception:  # noqa: BLE001  a method filter: its help text gives an example
        example = re.search(r"e\.g\. ([\w-]+)", str(filter_.extra.get("help_text", "")))
        return [example.group(1)] if example else []
    return [str(v) for v in model._default_manager.values_list(field.name, flat=True) if v]


def spellings(view):
    """``{filter name: [query string, ...]}``, each query selecting at least one record."""
    filterset_class = view.filterset_class
    model = filterset_class._meta.model
    queryset = view.queryset if view.queryset is not None else model._default_manager.all()
    result = {}
    for name, filter_ in filterset_class.base_filters.items():
        values = []
        every = getattr(filter_, "match_all", False)  # ``__all``: two values a record has both of
        for candidate in dict.fromkeys(_candidates(filter_, model)):
            together = ",".join([*values, candidate]) if every else candidate
            if _selects(filterset_class, queryset, name, together):
                values.append(candidate)
            if len(values) == 2:
                break
        if not values:
            continue
        first = values[0]
        queries = [urlencode({name: first})]
        other_case = first.lower() if first.lower() != first else first.upper()
        if other_case != first and _selects(filterset_class, queryset, name, other_case):
            queries.append(urlencode({name: other_case}))
        if isinstance(filter_, KeyFilter) and filter_.number_path:
            target, field = _target(model, filter_.paths[0])
            number = getattr(target._default_manager.get(**{field: first}), "number", None)
            if number is not None:
                queries.append(urlencode({name: number}))
        if len(values) == 2 and isinstance(filter_, KeyFilter):
            queries.append(urlencode([(name, values[0]), (name, values[1])]))
            queries.append(urlencode({name: ",".join(values)}))
        result[name] = queries
    return result
