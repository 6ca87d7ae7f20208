"""Every admin changelist, add and change page renders for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from tests.factories import make_mechanism, make_world

KB_APPS = {"missions", "interfaces", "measures"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in KB_APPS),
    key=lambda model: model._meta.label,
)

AUTOCOMPLETING = [model for model in REGISTERED if admin.site._registry[model].autocomplete_fields]


@pytest.fixture
def world(db):
    make_world(2)
    make_mechanism()


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_knowledge_base_model_is_in_the_admin():
    from django.apps import apps

    for app in KB_APPS:
        for model in apps.get_app_config(app).get_models():
            assert model in admin.site._registry, model


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_render(admin_client, world, model):
    obj = model.objects.first()
    for url in (
        _url(model, "changelist"),
        _url(model, "changelist") + "?q=1",
        _url(model, "add"),
        _url(model, "change", obj.pk),
        _url(model, "history", obj.pk),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        if url.endswith(("/change/", "/history/")):  # the record itself, not an empty form
            assert escape(str(obj)) in response.content.decode(), url


@pytest.mark.parametrize("model", AUTOCOMPLETING, ids=lambda m: m._meta.label)
def test_autocomplete_finds_a_record_by_what_it_shows(admin_client, world, model):
    """An editor types the start of what a record shows (its name in the dropdown) into an
    autocomplete field and finds that record: the target admin searches those words."""
    model_admin = admin.site._registry[model]
    for name in model_admin.autocomplete_fields:
        target = model._meta.get_field(name).related_model.objects.order_by("-pk").first()
        term = str(target).split()[0].strip(":.,()")
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": name,
                "term": term,
            },
        )
        assert response.status_code == 200, (model, name)
        found = {row["id"]: row["text"] for row in response.json()["results"]}
        assert found.get(str(target.pk)) == str(target), (model, name, term, found)
