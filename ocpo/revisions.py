"""The revision history's wiring: one revision per write request, kept only if it succeeds;
one per load of the fixtures or command that writes (``recorded``).

django-reversion's own middleware commits the revision (and the request's writes) whatever
the response, so a request that saved and then failed with a 500 left a version of a change
that never happened; reverting to it would apply that change. Here a server error rolls
back the request's writes and its revision together.

Reversion serializes a record when it is saved, with its links (the relations its
registration follows) as they are at that moment. An API write saves the record before it
sets the links; a load saves a new record before it inserts its links in bulk (no
signals). So both serialize every record of the revision once more at the end, with the
links it has then (``refresh_revision``): each version in a record's history
(``ocpo.history``) is a state the record really had.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db.models import Prefetch
from reversion.revisions import (
    _current_frame,
    _get_options,
    add_to_revision,
    create_revision,
    is_active,
    is_registered,
    set_comment,
)
from reversion.views import _request_creates_revision, _set_user_from_request


def _add_current(keys):
    """Add the records ``{model: pks}`` to the current revision as the database holds them
    now, with the records their registration follows (their links): one query per model
    and per followed relation, whatever the number of records."""
    for model, pks in keys.items():
        # Each version names its record (``object_repr``): its links' and its own foreign
        # keys are read with it, not one query per ``str()``.
        follows = [
            Prefetch(
                name,
                model._meta.get_field(name).related_model._base_manager.select_related(
                    *_foreign_keys(model._meta.get_field(name).related_model)
                ),
            )
            for name in _get_options(model).follow
        ]
        rows = model._base_manager.filter(pk__in=pks).select_related(*_foreign_keys(model))
        for obj in rows.prefetch_related(*follows):
            add_to_revision(obj)


def _foreign_keys(model):
    return [f.name for f in model._meta.concrete_fields if f.many_to_one]


def refresh_revision():
    """Each record in the current revision as the database holds it now, with its links."""
    keys = defaultdict(set)
    for versions in _current_frame().db_versions.values():
        for content_type, object_id in versions:
            keys[content_type.model_class()].add(object_id)
    _add_current(keys)


def record(objects, comment):
    """One revision of ``objects`` as they are now (a load: the records it wrote), added in
    bulk rather than save by save; inside a revision already open, added to that one."""
    keys = defaultdict(set)
    for obj in objects:
        if is_registered(type(obj)):
            keys[type(obj)].add(obj.pk)
    if not keys:
        return
    if is_active():
        _add_current(keys)
        return
    with create_revision(manage_manually=True, atomic=True):
        set_comment(comment)
        _add_current(keys)


@contextmanager
def recorded(comment=""):
    """One revision of what the block writes (a command), as the block leaves it.

    Inside a revision already open (a request's), it adds to that one.
    """
    if is_active():
        yield
        return
    with create_revision(atomic=True):
        yield
        if comment:
            set_comment(comment)
        refresh_revision()


class _ServerError(Exception):
    """Carries a failed response out of the revision's atomic block, rolling it back."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


class RevisionMiddleware:
    """Wraps every write request (not GET, HEAD, OPTIONS) in one atomic revision.

    Only server errors roll back: a 4xx answer is a refusal made before anything is saved
    (validation, permissions, If-Match), and some refusals must keep their own writes
    (a login lockout records the failed attempt).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_creates_revision(request):
            return self.get_response(request)
        try:
            with create_revision(atomic=True):
                response = self.get_response(request)
                if response.status_code >= 500:
                    raise _ServerError(response)
                refresh_revision()
                _set_user_from_request(request)
                return response
        except _ServerError as failed:
            return failed.response
