"""Facet counts: for a filter of a list, its values with the number of records each gives.

Built as Datasette's facets are (``datasette/facets.py``): one grouped query per facet,
ordered by count, bounded to the top values, with how many more there are. Unlike
Datasette, a facet is counted under the *other* filters in force: its own filter is left
out, so the counts show the alternatives (``?mission=UNMIL`` still counts every mission),
and a value's count is exactly the size of the list with that value as the facet's filter.

Facets are the FilterSet's key filters (``ocpo.filters.KeyFilter``, one query each) and its
``basis`` (one count). The portal's list pages and the API share this module.
"""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import F

from .filters import ALL_SUFFIX, PAPER, BasisFilter, KeyFilter, to_one

# Values a facet lists (the most frequent first); the rest are only counted.
FACET_SIZE = 30


@dataclass
class FacetValue:
    value: object
    label: str
    count: int


@dataclass
class Facet:
    """A facet's top values and how many other values it has (``other_values``)."""

    name: str
    label: str
    values: list = field(default_factory=list)
    other_values: int = 0

    def counts(self):
        """``{value as text: count}``; complete when ``other_values`` is 0."""
        return {str(v.value): v.count for v in self.values}


def facet_names(filterset_class):
    """The names of the filters a list can be faceted by, in the FilterSet's order."""
    return [
        name
        for name, filter_ in filterset_class.base_filters.items()
        if (isinstance(filter_, KeyFilter) and filter_.facet and not filter_.match_all)
        or isinstance(filter_, BasisFilter)
    ]


def facet_counts(filterset, names, size=FACET_SIZE, narrow=None):
    """``{name: Facet}`` for a valid (or unbound) ``filterset``; ``narrow`` (optional) takes a
    queryset and applies what filters the list besides the FilterSet (the API's search).

    Each facet filters with the FilterSet's own filters and cleaned values, its own value
    left out (``KBFilterSet.filter_by``): no other form is built or validated."""
    values = filterset.form.cleaned_data if filterset.is_valid() else {}
    paper = values.get("basis") == PAPER
    facets = {}
    for name in names:
        filter_ = filterset.filters[name]
        others = {key: value for key, value in values.items() if key != name}
        if isinstance(filter_, BasisFilter):
            facets[name] = _choice_facet(filterset, name, filter_, others, narrow)
        else:
            queryset = _filtered(filterset, others, narrow)
            facets[name] = _key_facet(name, filter_, queryset, paper, size)
    return facets


def _filtered(filterset, values, narrow):
    """The records the list would show with ``values`` as its filters (a lazy queryset)."""
    queryset = filterset.filter_by(filterset._meta.model._default_manager.all(), values)
    return narrow(queryset) if narrow else queryset


def _keyed_by_record(model, paths):
    """The model whose records the facet's keys name, when each key is a unique field of it
    (a mission's acronym) reached by every path; else None (a year, a region).

    Such a facet groups by the records' primary keys and reads each key and label once
    per value, after counting: grouping by their text instead took 1.3 s for the missions
    of 100,000 findings at factor 1000 on PostgreSQL, by the keys 0.25 s.
    """
    targets = set()
    for path, _, _ in paths:
        *relations, name = path.split("__")
        if not relations:
            return None
        target = model
        for relation in relations:
            field = target._meta.get_field(relation)
            target = field.related_model
        if not target._meta.get_field(name).unique:
            return None
        # A foreign key to another unique field (a record's source, by slug) holds that key
        # in the record's own column, not the primary key counted here: grouped by text.
        if field.many_to_one and not field.target_field.primary_key:
            return None
        targets.add(target)
    return targets.pop() if len(targets) == 1 else None


def _key_facet(name, filter_, queryset, paper, size):
    """One grouped query: each key the filtered records reach, with how many reach it.

    Every way the filter follows (its paths) gives (record, key) pairs, each pair once (the
    paths' UNION, or DISTINCT on one path that can repeat a pair), so a key's count is the
    number of distinct records, however many links lead from one record to it.
    """
    model = queryset.model
    paths = filter_.facet_paths(paper)
    target = _keyed_by_record(model, paths)
    records = model._default_manager.all()
    if queryset.query.has_filters():  # else every record counts: no subquery to join
        records = records.filter(pk__in=queryset.order_by().values("pk"))
    parts, params = [], []
    for path, label, condition in paths:
        if target:  # the key's record: its primary key, read beside the relation's rows
            columns = {"facet_key": F(path.rsplit("__", 1)[0])}
        else:
            columns = {"facet_key": F(path), "facet_label": F(label)}
        pairs = records.filter(**condition).order_by().values(facet_record=F("pk"), **columns)
        if len(paths) == 1 and not _one_pair_each(model, path, target):
            pairs = pairs.distinct()
        sql, part_params = pairs.query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    grouped = "facet_key" if target else "facet_key, facet_label"
    sql = (
        f"SELECT {grouped}, COUNT(*) AS n, COUNT(*) OVER () AS total "
        f"FROM ({' UNION '.join(parts)}) facet_pairs WHERE facet_key IS NOT NULL "
        f"GROUP BY {grouped}"
    )
    connection = connections[queryset.db]
    if target:
        sql, key = _labelled(sql, target, paths[0], connection.ops.quote_name)
    else:
        key = "facet_key"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY n DESC, {key} LIMIT %s", [*params, size])
        rows = cursor.fetchall()
    choices = dict(filter_.choices or ())
    values = [FacetValue(key, str(choices.get(key, label)), count) for key, label, count, _ in rows]
    total = rows[0][3] if rows else 0
    return Facet(name, str(filter_.label or name), values, total - len(values))


def _one_pair_each(model, path, keyed_by_record):
    """Whether a record gives each (record, key) pair at most once along ``path``: the path
    follows only to-one relations, or (keys counted by their records) one to-many relation,
    last, that links a record to each other one at most once (a reverse foreign key, or a
    many-to-many table holding each pair once). Else the pairs are made DISTINCT."""
    if to_one(model, path):
        return True
    if not keyed_by_record:
        return False
    *relations, last = path.split("__")[:-1]
    if not to_one(model, "__".join([*relations, "key"])):
        return False
    for name in relations:
        model = model._meta.get_field(name).related_model
    field = model._meta.get_field(last)
    if field.one_to_many:
        return True
    if not field.many_to_many:
        return False
    through = field.remote_field.through if field.concrete else field.through
    m2m = field if field.concrete else field.remote_field
    pair = {m2m.m2m_field_name(), m2m.m2m_reverse_field_name()}
    return bool(through._meta.auto_created) or any(
        set(fields) == pair for fields in _unique_field_sets(through)
    )


def _unique_field_sets(model):
    """The sets of fields ``model``'s table holds each combination of at most once."""
    meta = model._meta
    yield from meta.unique_together
    for constraint in meta.constraints:
        if getattr(constraint, "fields", None) and getattr(constraint, "condition", None) is None:
            yield constraint.fields


def _labelled(grouped, target, way, quote):
    """``grouped`` (counts by primary key) joined to the records they count, for each one's
    key and label: ``(sql, the key's column to order by)``."""
    path, label, _ = way
    table = quote(target._meta.db_table)
    pk = quote(target._meta.pk.column)
    key = f"facet_record.{quote(target._meta.get_field(path.rsplit('__', 1)[1]).column)}"
    label = f"facet_record.{quote(target._meta.get_field(label.rsplit('__', 1)[1]).column)}"
    sql = (
        f"SELECT {key}, {label}, facet_counts.n, facet_counts.total "
        f"FROM ({grouped}) facet_counts INNER JOIN {table} facet_record "
        f"ON facet_record.{pk} = facet_counts.facet_key"
    )
    return sql, key


def _choice_facet(filterset, name, filter_, others, narrow):
    """A filter of few fixed choices (``basis``): one count per choice."""
    values = []
    for value, label in filter_.extra["choices"]:
        count = _filtered(filterset, {**others, name: value}, narrow).count()
        values.append(FacetValue(value, str(label), count))
    return Facet(name, str(filter_.label or name), values, 0)


def twin_of(name):
    """The facet a filter's counts come from: ``mission__all`` shows ``mission``'s."""
    return name.removesuffix(ALL_SUFFIX)


FACETS_PARAM = "facets"
FACETS_DESCRIPTION = (
    "Facets to count, comma-separated or repeated: adds `facets` to the answer, each value "
    "with the number of records the list would hold with that value as the facet's filter, "
    "the other filters (and `search`) in force; a facet's own filter is left out of its "
    f"counts, so they show the alternatives. At most {FACET_SIZE} values per facet, the "
    "most frequent first; `other_values` says how many more there are."
)


def requested_facets(request, filterset_class):
    """The facet names ``?facets=`` asks for, checked: ``(names, unknown, accepted)``."""
    accepted = facet_names(filterset_class) if filterset_class else []
    asked = [
        part.strip()
        for value in request.query_params.getlist(FACETS_PARAM)
        for part in value.split(",")
        if part.strip()
    ]
    names = list(dict.fromkeys(asked))
    return names, [name for name in names if name not in accepted], accepted


def facets_payload(request, facets):
    """The API's ``facets`` object: per facet its label, values and how many more."""
    payload = {}
    for name, facet in facets.items():
        in_force = {
            part.strip().casefold()
            for value in request.query_params.getlist(name)
            for part in value.split(",")
        }
        values = []
        for value in facet.values:
            query = request.query_params.copy()
            query.setlist(name, [str(value.value)])
            query.pop("offset", None)
            values.append(
                {
                    "value": value.value,
                    "label": value.label,
                    "count": value.count,
                    "selected": str(value.value).casefold() in in_force,
                    "url": request.build_absolute_uri(f"{request.path}?{query.urlencode()}"),
                }
            )
        payload[name] = {"label": facet.label, "values": values, "other_values": facet.other_values}
    return payload


FACETS_SCHEMA = {
    "type": "object",
    "description": (
        "Only with `?facets=`: for each facet asked for, its values with the number of "
        "records each gives under the other filters in force."
    ),
    "additionalProperties": {
        "type": "object",
        "properties": {
            "label": {
                "type": "string",
                "description": "The facet's filter, as the portal names it.",
            },
            "values": {
                "type": "array",
                "description": f"At most {FACET_SIZE} values, the most frequent first.",
                "items": {
                    "type": "object",
                    "properties": {
                        "value": {
                            "oneOf": [{"type": "string"}, {"type": "integer"}],
                            "description": "The value as the filter takes it (a natural key).",
                        },
                        "label": {"type": "string", "description": "The value's name."},
                        "count": {
                            "type": "integer",
                            "description": (
                                "Records the list holds with this value as the facet's "
                                "filter, the other filters unchanged."
                            ),
                        },
                        "selected": {
                            "type": "boolean",
                            "description": "Whether the facet's filter already names the value.",
                        },
                        "url": {
                            "type": "string",
                            "format": "uri",
                            "description": "This list with the value applied (its first page).",
                        },
                    },
                    "required": ["value", "label", "count", "selected", "url"],
                },
            },
            "other_values": {
                "type": "integer",
                "description": "How many more values the facet has than are listed.",
            },
        },
        "required": ["label", "values", "other_values"],
    },
}


class FacetParameter:
    """A filter backend that filters nothing: it documents ``?facets=`` on every list whose
    FilterSet has facets (the viewset checks and answers it)."""

    facets_param = FACETS_PARAM

    def filter_queryset(self, request, queryset, view):
        return queryset

    def get_schema_operation_parameters(self, view):
        filterset_class = getattr(view, "filterset_class", None)
        names = facet_names(filterset_class) if filterset_class else []
        if not names:
            return []
        return [
            {
                "name": FACETS_PARAM,
                "required": False,
                "in": "query",
                "description": FACETS_DESCRIPTION,
                "schema": {"type": "array", "items": {"type": "string", "enum": names}},
                "style": "form",
                "explode": False,
            }
        ]
