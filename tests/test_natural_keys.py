"""Every model round-trips through Django's serializers by natural keys alone."""

import datetime
import io

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from tests.factories import make_application, make_mechanism, make_world

KB_APPS = ("sources", "missions", "interfaces", "measures")


def _as_json_keeps(value):
    """A value as a JSON dump keeps it: Django writes times to the millisecond."""
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def _snapshot():
    """Every record as (model, natural key, fields other than ids) for comparison."""
    rows = set()
    for app in KB_APPS:
        for model in apps.get_app_config(app).get_models():
            data = serializers.serialize(
                "python",
                model.objects.all(),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
            for row in data:
                fields = tuple(
                    sorted((k, repr(_as_json_keeps(v))) for k, v in row["fields"].items())
                )
                rows.add((row["model"], fields))
    return rows


@pytest.mark.django_db(transaction=True)  # flush truncates: not inside a test transaction
def test_dump_with_natural_keys_and_load_into_empty_database(tmp_path):
    world = make_world(3)
    make_mechanism(interface=world["interfaces"][0])
    make_application(all_missions=True, mission=None)
    before = _snapshot()

    dump = tmp_path / "kb.json"
    out = io.StringIO()
    call_command(
        "dumpdata", *KB_APPS, natural_foreign=True, natural_primary=True, indent=1, stdout=out
    )
    dump.write_text(out.getvalue())
    assert '"pk"' not in out.getvalue(), "records must not depend on numeric ids"

    call_command("flush", interactive=False, verbosity=0)
    assert _snapshot() == set()
    call_command("loaddata", str(dump), verbosity=0)
    assert _snapshot() == before


@pytest.mark.django_db
def test_every_model_has_natural_key_str_and_url():
    make_world(1)
    make_mechanism()
    for app in KB_APPS:
        for model in apps.get_app_config(app).get_models():
            obj = model.objects.first()
            assert obj is not None, model
            assert model.objects.get_by_natural_key(*obj.natural_key()) == obj
            assert str(obj)
            assert obj.get_absolute_url().startswith("/")
            assert model._meta.ordering, f"{model.__name__} has no default ordering"
