"""No lost data: every write through the admin or the API is recorded and can be restored."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from reversion.models import Version

from interfaces.models import Finding
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_user("ed", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client.force_login(user)
    return user


@pytest.fixture
def finding():
    make_world(1)
    return Finding.objects.first()


def test_an_api_write_is_recorded_with_who_and_what(client, editor, finding):
    response = client.patch(
        f"/api/v1/findings/{finding.slug}/",
        {"summary": "Rewritten by an editor."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    versions = Version.objects.get_for_object(finding)
    assert versions.count() == 1
    latest = versions.first()
    assert latest.revision.user == editor
    assert latest.field_dict["summary"] == "Rewritten by an editor."


def test_an_admin_write_is_recorded_and_can_be_restored(client, editor, finding):
    original = finding.summary
    change_url = reverse("admin:interfaces_finding_change", args=[finding.pk])
    form = client.get(change_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "summary": "A mistaken edit.",
            "missions": [m.pk for m in finding.missions.all()],
            "countries": [c.pk for c in finding.countries.all()],
            "documents": [d.pk for d in finding.documents.all()],
            "activities": [a.pk for a in finding.activities.all()],
            "interface": finding.interface_id,
        }
    )
    # First, an edit that records the original state.
    data["summary"] = original
    assert client.post(change_url, data).status_code == 302
    data["summary"] = "A mistaken edit."
    assert client.post(change_url, data).status_code == 302
    finding.refresh_from_db()
    assert finding.summary == "A mistaken edit."

    history = client.get(reverse("admin:interfaces_finding_history", args=[finding.pk]))
    assert history.status_code == 200
    first = Version.objects.get_for_object(finding).last()
    assert first.field_dict["summary"] == original
    revert_url = reverse("admin:interfaces_finding_revision", args=[finding.pk, first.pk])
    assert client.get(revert_url).status_code == 200
    first.revision.revert()
    finding.refresh_from_db()
    assert finding.summary == original


def test_a_deleted_record_can_be_recovered(client, editor, finding):
    slug = finding.slug
    assert (
        client.patch(
            f"/api/v1/findings/{slug}/",
            {"title": "Recorded first"},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert client.delete(f"/api/v1/findings/{slug}/").status_code == 204
    assert not Finding.objects.filter(slug=slug).exists()
    deleted = Version.objects.get_deleted(Finding)
    assert deleted.filter(object_id=str(finding.pk)).exists()
    recover = reverse("admin:interfaces_finding_recoverlist")
    assert client.get(recover).status_code == 200
    deleted.get(object_id=str(finding.pk)).revision.revert(delete=False)
    assert Finding.objects.filter(slug=slug).exists()


# A request that fails after saving leaves no trace: neither its writes nor a revision.


def _fail_after(monkeypatch, owner, name):
    """Make ``owner.name`` run as usual, then fail: a write that breaks after saving."""
    original = getattr(owner, name)

    def then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("failure after saving")

    monkeypatch.setattr(owner, name, then_fail)


def test_an_api_write_that_fails_after_saving_leaves_no_version(
    client, editor, finding, monkeypatch
):
    from interfaces.api import FindingViewSet

    _fail_after(monkeypatch, FindingViewSet, "perform_update")
    client.raise_request_exception = False
    response = client.patch(
        f"/api/v1/findings/{finding.slug}/",
        {"summary": "A change that never happened."},
        content_type="application/json",
    )
    assert response.status_code == 500
    assert not Version.objects.get_for_object(finding).exists()
    finding.refresh_from_db()
    assert finding.summary != "A change that never happened."


def test_an_admin_write_that_fails_after_saving_leaves_no_version(
    client, editor, finding, monkeypatch
):
    from django.contrib import admin

    model_admin = admin.site._registry[Finding]
    change_url = reverse("admin:interfaces_finding_change", args=[finding.pk])
    form = client.get(change_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "summary": "A change that never happened.",
            "missions": [m.pk for m in finding.missions.all()],
            "countries": [c.pk for c in finding.countries.all()],
            "documents": [d.pk for d in finding.documents.all()],
            "activities": [a.pk for a in finding.activities.all()],
            "interface": finding.interface_id,
        }
    )
    _fail_after(monkeypatch, model_admin, "changeform_view")
    client.raise_request_exception = False
    assert client.post(change_url, data).status_code == 500
    assert not Version.objects.get_for_object(finding).exists()
    finding.refresh_from_db()
    assert finding.summary != "A change that never happened."
