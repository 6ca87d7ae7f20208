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


def _bound_values(form):
    """A form's fields as its page would post them back unchanged."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue  # an unchecked box or an empty choice is not sent
        if isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _admin_change_data(client, change_url):
    """The admin change page's form and inline formsets, posted back as they are."""
    page = client.get(change_url)
    data = _bound_values(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_bound_values(formset.management_form))
        for form in formset.forms:
            data.update(_bound_values(form))
    return data


def test_an_admin_write_is_recorded_and_can_be_restored(client, editor, finding):
    original = finding.summary
    change_url = reverse("admin:interfaces_finding_change", args=[finding.pk])
    data = _admin_change_data(client, change_url)
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
    data = _admin_change_data(client, change_url)
    data["summary"] = "A change that never happened."
    saved = []
    original = model_admin.changeform_view

    def save_then_fail(*args, **kwargs):
        response = original(*args, **kwargs)
        saved.append(response.status_code)  # 302: the admin saved the change
        raise RuntimeError("failure after saving")

    monkeypatch.setattr(model_admin, "changeform_view", save_then_fail)
    client.raise_request_exception = False
    assert client.post(change_url, data).status_code == 500
    assert saved == [302], "the admin must have saved before the failure"
    assert not Version.objects.get_for_object(finding).exists()
    finding.refresh_from_db()
    assert finding.summary != "A change that never happened."
