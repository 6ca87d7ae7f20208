"""A record's history for the public: its versions, newest first, each with its date and
what changed from the version before, field by field, its links included.

The versions are django-reversion's (every write in the admin or the API, every load of
the fixtures; see ``ocpo.revisions``). Who made a change is kept for the admin only: the
public history names no user. A history reads a bounded number of queries whatever its
length: the versions (the newest ``LIMIT``), the followed records' versions of the same
revisions (its links), and one query per related model for the labels of linked records.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.views.generic import DetailView
from reversion.models import Version
from reversion.revisions import _get_options, is_registered

from sources.models import SourcedLink

LIMIT = 50
EMPTY = "\u2014"


@dataclass
class Change:
    """One field (or link list) that differs from the version before."""

    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One version: when it was made, how (the revision's comment) and what changed."""

    number: int
    date: object
    comment: str
    changes: list = field(default_factory=list)
    first: bool = False


def _fields(version):
    return json.loads(version.serialized_data)[0]["fields"] if version.serialized_data else {}


def _shown_fields(model):
    """The fields a history compares: the editable ones, in the model's order."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and not getattr(f, "generated", False)
    ] + [
        f
        for f in model._meta.many_to_many
        if f.remote_field.through._meta.auto_created  # serialized with the record
    ]


def _follows(model):
    """``[(label, related model, foreign key to the owner)]`` of what the registration
    follows: link rows (a finding's missions) and parts (an interface's mechanisms)."""
    follows = []
    for name in _get_options(model).follow if is_registered(model) else ():
        relation = model._meta.get_field(name)
        related = relation.related_model
        label = related._meta.verbose_name_plural
        if issubclass(related, SourcedLink):
            target = related._meta.get_field(related.target_field)
            label = target.related_model._meta.verbose_name_plural
        follows.append((str(label), related, relation.field.name))
    return follows


class _Labels:
    """Labels of related records by model and pk, fetched once per model."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.found = {}

    def want(self, model, pk, key="pk"):
        """``key``: the field a foreign key stores, when not the id (a source's slug)."""
        if pk is not None:
            self.wanted[model, key].add(pk)

    def fetch(self):
        for (model, key), pks in self.wanted.items():
            rows = model._base_manager.filter(**{f"{key}__in": pks})
            self.found[model, key] = {getattr(obj, key): str(obj) for obj in rows}

    def __call__(self, model, pk, key="pk"):
        if pk is None:
            return EMPTY
        found = self.found.get((model, key), {})
        return found.get(pk, f"{model._meta.verbose_name} #{pk} (deleted)")


def _key(field_):
    """What a foreign key stores: the id, or the field it names (``to_field``)."""
    target = field_.target_field
    return "pk" if target.primary_key else target.attname


def _display(field_, value, labels):
    if field_.many_to_many:
        names = sorted(labels(field_.related_model, pk) for pk in value or [])
        return ", ".join(names) or EMPTY
    if field_.many_to_one:
        return labels(field_.related_model, value, _key(field_))
    if field_.choices and value not in (None, ""):
        return str(dict(field_.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return EMPTY
    return str(value)


def _link_text(model, data, labels):
    """A followed row as its owner's history shows it: a link with its basis, or a part."""
    if issubclass(model, SourcedLink):
        target = model._meta.get_field(model.target_field)
        text = labels(target.related_model, data.get(model.target_field))
        basis = data.get("basis")
        if basis == "editors":
            reason = data.get("reason") or ""
            return f"{text} (the editors' link: {reason})" if reason else f"{text} (the editors')"
        return text
    return None


def history(obj, limit=LIMIT):
    """``(entries, older)``: the newest ``limit`` versions of ``obj`` and how many older
    ones are not shown."""
    model = type(obj)
    versions = list(
        Version.objects.get_for_object(obj).select_related("revision").order_by("-pk")[: limit + 1]
    )
    total = len(versions)
    if total > limit:
        total = Version.objects.get_for_object(obj).count()
    follows = _follows(model)
    followed = defaultdict(lambda: defaultdict(list))  # revision -> label -> [(model, data)]
    if follows and versions:
        # Content types by a join, not a lookup: the same queries with the cache cold or warm.
        by_type = {
            (m._meta.app_label, m._meta.model_name): (label, m, fk) for label, m, fk in follows
        }
        of_type = Q()
        for app_label, model_name in by_type:
            of_type |= Q(content_type__app_label=app_label, content_type__model=model_name)
        rows = Version.objects.filter(
            of_type, revision__in=[v.revision_id for v in versions]
        ).values_list(
            "content_type__app_label",
            "content_type__model",
            "revision_id",
            "serialized_data",
            "object_repr",
        )
        for app_label, model_name, revision_id, serialized, object_repr in rows:
            label, related, fk = by_type[(app_label, model_name)]
            data = json.loads(serialized)[0]["fields"] if serialized else {}
            if data.get(fk) == obj.pk:
                followed[revision_id][label].append((related, data, object_repr))

    shown = _shown_fields(model)
    labels = _Labels()
    states = []
    for version in versions:
        data = _fields(version)
        for f in shown:
            if f.many_to_many:
                for pk in data.get(f.name) or []:
                    labels.want(f.related_model, pk)
            elif f.many_to_one:
                labels.want(f.related_model, data.get(f.name), _key(f))
        for items in followed[version.revision_id].values():
            for related, row, _ in items:
                if issubclass(related, SourcedLink):
                    target = related._meta.get_field(related.target_field).related_model
                    labels.want(target, row.get(related.target_field))
        states.append((version, data))
    labels.fetch()

    def state(version, data):
        values = {f.verbose_name: _display(f, data.get(f.name), labels) for f in shown}
        for label, _, _ in follows:
            texts = sorted(
                _link_text(related, row, labels) or repr_
                for related, row, repr_ in followed[version.revision_id][label]
            )
            values[label] = "; ".join(texts) or EMPTY
        return values

    rendered = [state(version, data) for version, data in states]
    entries = []
    for index, (version, _) in enumerate(states[:limit]):
        entry = Entry(
            number=total - index,
            date=version.revision.date_created,
            comment=version.revision.get_comment(),
        )
        if index + 1 < len(states):
            before, after = rendered[index + 1], rendered[index]
            entry.changes = [
                Change(name[:1].upper() + name[1:], before.get(name, EMPTY), value)
                for name, value in after.items()
                if before.get(name, EMPTY) != value
            ]
        else:
            entry.first = True
        entries.append(entry)
    return entries, max(0, total - limit)


class RecordHistoryView(DetailView):
    """``<record page>history/``: the record's versions. Apps subclass it per model,
    with the detail view's lookup (``slug_field``)."""

    template_name = "history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries, older = history(self.object)
        context.update(entries=entries, older=older, kind=self.object._meta.verbose_name)
        return context
