"""Following every change: timestamps that move with content, tombstones, the changes feed.

A record's ``modified`` moves when its fields change (``ocpo.models.Timestamped``) and, here,
when the links it owns change: the record declaring a many-to-many field owns its links (a
finding owns its links to missions), and a part served inside a record (an interface's
mechanisms) counts as that record's content. Deleting a record leaves a ``Tombstone``.

``entries(since)`` is every change since a moment, in time order, as one UNION query over
the records and the tombstones carrying all a change's links need, so a page of the feed
costs two queries (the page and its count) whatever the data size.
"""

import json
from dataclasses import dataclass
from functools import cache

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .kb import data_version
from .models import Timestamped, Tombstone

CREATED, MODIFIED, DELETED = "created", "modified", "deleted"
KINDS = (CREATED, MODIFIED, DELETED)


@dataclass(frozen=True)
class Resource:
    """How the API serves a model: ``/api/v1/<prefix>/<lookup value>/``."""

    model: type
    prefix: str
    basename: str
    lookup_field: str

    def api_path(self, key):
        try:
            return reverse(f"api:{self.basename}-detail", kwargs={self.lookup_field: key})
        except NoReverseMatch:  # a key that cannot be part of a URL (``ocpo.keys``)
            return None


@cache
def resources():
    """{model: Resource} for every timestamped model the API router serves."""
    from .api import router  # the wiring sits above the apps; read once they are loaded

    return {
        viewset.queryset.model: Resource(
            viewset.queryset.model, prefix, basename, viewset.lookup_field
        )
        for prefix, viewset, basename in router.registry
        if issubclass(viewset.queryset.model, Timestamped)
    }


def resource_by_prefix():
    return {resource.prefix: resource for resource in resources().values()}


# ------------------------------------------------------------------ modified moves with links


def touch(model, pks):
    """Move ``modified`` of the records ``pks`` of ``model`` to now, in one UPDATE."""
    pks = [pk for pk in pks if pk is not None]
    if pks and issubclass(model, Timestamped):
        model._base_manager.filter(pk__in=pks).update(modified=timezone.now())


def _link_relations():
    """[(owner model, many-to-many field)] for every link a timestamped record owns."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        if issubclass(model, Timestamped)
        for field in model._meta.local_many_to_many
    ]


@cache
def links_to(target_model):
    """[(owner model, through model, owner column, target column)] of links to a model."""
    found = []
    for owner, field in _link_relations():
        if field.related_model is target_model:
            through = field.remote_field.through
            owner_column = through._meta.get_field(field.m2m_field_name()).attname
            target_column = through._meta.get_field(field.m2m_reverse_field_name()).attname
            found.append((owner, through, owner_column, target_column))
    return found


@cache
def link_owner(through):
    """(owner model, owner column) of a through model whose rows a timestamped record owns."""
    for owner, field in _link_relations():
        if field.remote_field.through is through:
            return owner, through._meta.get_field(field.m2m_field_name()).attname
    return None


def touch_on_link_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``m2m_changed``: links added, removed or cleared move their owner's ``modified``.

    ``set()`` sends these only for the links that really change (it compares first).
    """
    if action in ("post_add", "post_remove") and pk_set:
        if reverse:  # e.g. ``interface.questions.add(question)``: the questions own the links
            touch(model, pk_set)
        elif not getattr(instance, "links_follow", False):
            touch(type(instance), [instance.pk])
    elif action == "post_clear" and not reverse:
        touch(type(instance), [instance.pk])
    elif action == "pre_clear" and reverse:
        owned = link_owner(sender)
        if owned is not None:
            owner, column = owned
            target_column = next(
                f.attname
                for f in sender._meta.concrete_fields
                if f.many_to_one and f.attname != column
            )
            touch(
                owner,
                sender._base_manager.filter(**{target_column: instance.pk}).values_list(
                    column, flat=True
                ),
            )


def mark_raw_write(sender, instance, raw=False, **kwargs):
    """``post_save`` of a record written as given (``loaddata``): its timestamps are the
    ones given, and the links written next with it are part of that write."""
    if raw and issubclass(sender, Timestamped):
        instance.links_follow = True


def touch_on_link_row_save(sender, instance, raw=False, **kwargs):
    """``post_save`` of a link row saved on its own (the admin's inline): its owner moves."""
    owned = link_owner(sender)
    if owned is not None and not raw:
        touch(owned[0], [getattr(instance, owned[1])])


def touch_on_link_row_delete(sender, instance, origin=None, **kwargs):
    """``post_delete`` of a link row deleted on its own (the admin's inline).

    Rows deleted with a record (a cascade) are handled by ``before_record_delete``; rows
    deleted in bulk come from ``set()``/``remove()`` (``m2m_changed`` covers them) or from
    a load, which saves their owner anyway.
    """
    owned = link_owner(sender)
    if owned is not None and isinstance(origin, sender):
        touch(owned[0], [getattr(instance, owned[1])])


def touch_whole_on_part_change(sender, instance, raw=False, **kwargs):
    """``post_save``/``post_delete`` of a part (``part_of``): the whole record moves."""
    whole = getattr(sender, "part_of", None)
    if whole and not raw:
        field = sender._meta.get_field(whole)
        if getattr(field.get_cached_value(instance, None), "links_follow", False):
            return  # the whole was created just now, with its parts (a load)
        touch(field.related_model, [getattr(instance, field.attname)])


def before_record_delete(sender, instance, **kwargs):
    """``pre_delete`` of a record: the records linking to it lose a link (they move), and its
    key is kept for the tombstone while the records it names still exist."""
    if not issubclass(sender, Timestamped):
        return
    now = timezone.now()
    for owner, through, owner_column, target_column in links_to(sender):
        linking = through._base_manager.filter(**{target_column: instance.pk}).values(owner_column)
        owner._base_manager.filter(pk__in=linking).update(modified=now)
    resource = resources().get(sender)
    if resource is not None:
        instance._tombstone_keys = (
            str(getattr(instance, resource.lookup_field)),
            json.dumps(list(instance.natural_key()), default=str, ensure_ascii=False),
        )


def leave_tombstone(sender, instance, **kwargs):
    """``post_delete`` of a record the API serves: a tombstone, in the same transaction."""
    keys = getattr(instance, "_tombstone_keys", None)
    resource = resources().get(sender)
    if keys is None or resource is None:
        return
    Tombstone.objects.create(
        model=sender._meta.label_lower,
        resource=resource.prefix,
        key=keys[0],
        natural_key=keys[1],
        data_version=data_version(),
    )


# ------------------------------------------------------------------------------ the feed


def entries(since=None):
    """Every change at or after ``since`` (everything if None), oldest first, as dicts:
    ``time``, ``kind``, ``resource``, ``key``, ``data_version`` (deletions only).

    A record appears once, with its latest change: ``created`` while it was never changed
    since, else ``modified``. One UNION ALL query; slice it to page.
    """
    text = CharField()
    parts = []
    for resource in resources().values():
        records = resource.model._base_manager.order_by()  # a UNION's parts are unordered
        if since is not None:
            records = records.filter(modified__gte=since)
        parts.append(
            records.annotate(
                change_time=F("modified"),
                change_kind=Case(
                    When(created=F("modified"), then=Value(CREATED)),
                    default=Value(MODIFIED),
                    output_field=text,
                ),
                change_resource=Value(resource.prefix, output_field=text),
                change_key=Cast(resource.lookup_field, output_field=text),
                change_version=Value("", output_field=text),
                change_page=page_key(resource),
            ).values(*COLUMNS)
        )
    deletions = (
        Tombstone.objects.since(since)
        .order_by()
        .annotate(
            change_time=F("deleted"),
            change_kind=Value(DELETED, output_field=text),
            change_resource=F("resource"),
            change_key=F("key"),
            change_version=F("data_version"),
            change_page=Value("", output_field=text),
        )
    )
    union = deletions.values(*COLUMNS).union(*parts, all=True)
    return union.order_by("change_time", "change_resource", "change_key", "change_kind")


COLUMNS = (
    "change_time",
    "change_kind",
    "change_resource",
    "change_key",
    "change_version",
    "change_page",
)


def page_key(resource):
    """The key of the record whose page shows this one (``shown_on``), else empty."""
    via = getattr(resource.model, "shown_on", None)
    if not via:
        return Value("", output_field=CharField())
    shown_on = resource.model._meta.get_field(via).related_model
    return Cast(f"{via}__{resources()[shown_on].lookup_field}", output_field=CharField())


def html_path(resource, key, page_key):
    """A record's portal URL from its key alone (no query): the URL names only its key, or
    (``shown_on``) the key of the record whose page shows it, carried in ``page_key``."""
    model, field = resource.model, resource.lookup_field
    via = getattr(model, "shown_on", None)
    if via:
        model = model._meta.get_field(via).related_model
        field, key = model._meta.get_field(resources()[model].lookup_field).attname, page_key
    return model(**{field: key}).get_absolute_url() or None


def entry(row, absolute=lambda path: path):
    """One change as the API and the feed give it."""
    resource = resource_by_prefix().get(row["change_resource"])
    deleted = row["change_kind"] == DELETED or resource is None
    key = row["change_key"]
    api_path = None if deleted else resource.api_path(key)
    page = None if deleted else html_path(resource, key, row["change_page"])
    return {
        "kind": row["change_kind"],
        "resource": row["change_resource"],
        "key": key,
        "time": row["change_time"],
        "url": absolute(api_path) if api_path else None,
        "html_url": absolute(page) if page else None,
        "data_version": row["change_version"] or None,
    }
