"""The editors group and the health check."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from ocpo.kb import data_version

pytestmark = pytest.mark.django_db


def test_migrate_creates_the_editors_group_with_every_knowledge_base_permission():
    group = Group.objects.get(name="editors")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("missions", "change_mission") in codenames
    assert ("interfaces", "delete_finding") in codenames
    assert ("measures", "add_measureapplication") in codenames
    assert not any(app == "auth" for app, _ in codenames)


def test_create_editor_makes_a_staff_editor_with_a_token(monkeypatch, capsys):
    monkeypatch.setenv("OCPO_EDITOR_PASSWORD", "a-long-editor-password")
    call_command("create_editor", "ed")
    user = User.objects.get(username="ed")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="editors").exists()
    assert user.has_perm("missions.change_mission")
    assert user.check_password("a-long-editor-password")
    assert user.auth_token.key in capsys.readouterr().out


def test_healthz_reports_database_and_data_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "data_version": data_version(),
    }
