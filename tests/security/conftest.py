"""Users for the security tests: anonymous, a plain user, and an editor (the editors group)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from ocpo.editors import EDITORS_GROUP, KB_APPS


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor")  # no password: hashing is slow, login is forced
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def plain_user(db):
    return User.objects.create_user("reader")


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


def kb_snapshot():
    """Every row of every knowledge-base table (links included), to show nothing changed."""
    rows = {}
    for app in KB_APPS:
        for model in apps.get_app_config(app).get_models():
            rows[model._meta.label] = sorted(map(repr, model.objects.values_list()))
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                rows[through._meta.label] = sorted(map(repr, through.objects.values_list()))
    return rows
