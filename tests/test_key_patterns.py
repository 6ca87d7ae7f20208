"""Natural keys fit one documented pattern per kind, wherever they are made.

A key like ``AUD/IT`` or ``..`` once committed broke every page linking to its record;
upper-case slugs were accepted although keys are documented as lower case.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from interfaces.models import Finding
from missions.models import Country, Document, Mission
from ocpo.keys import ACRONYM, ISO3, SLUG, validate_acronym, validate_iso3, validate_slug_key
from tests import factories as f
from tests.api_cases import editor_for, make_pair, problem_errors

pytestmark = pytest.mark.django_db

BAD = {
    "acronym": ["AUD/IT", "..", "unmil", "UN MIL", "UNMIL\n", "-UN", "UN--MIL", ""],
    "slug": ["Upper-Case", "a_b", "a--b", "-a", "a-", "..", "a/b", "x\n", "é"],
    "iso3": ["lbr", "LB", "LBRA", "L1R", "LBR\n"],
}
GOOD = {
    "acronym": ["UNMIL", "MINUSTAH", "UN-HABITAT", "K4"],
    "slug": ["illicit-mining", "s-res-1509", "a1"],
    "iso3": ["LBR", "XKX"],
}


VALIDATORS = {"acronym": validate_acronym, "slug": validate_slug_key, "iso3": validate_iso3}


@pytest.mark.parametrize("kind", list(BAD))
def test_each_pattern_takes_the_good_keys_and_refuses_the_bad(kind):
    validator = VALIDATORS[kind]
    for key in GOOD[kind]:
        validator(key)
    for key in BAD[kind]:
        with pytest.raises(ValidationError):
            validator(key)


@pytest.fixture
def pair(db):
    return make_pair()


@pytest.mark.parametrize(
    ("url", "field", "keys"),
    [
        ("/api/v1/missions/", "acronym", ["AUD/IT", "..", "unmil-2"]),
        ("/api/v1/documents/", "slug", ["Upper-Case", "a_b", ".."]),
        ("/api/v1/countries/", "iso3", ["abc", "A/B"]),
    ],
)
def test_the_api_refuses_bad_keys_with_400_and_stores_nothing(pair, url, field, keys):
    model = {"acronym": Mission, "slug": Document, "iso3": Country}[field]
    client = APIClient()
    client.force_authenticate(editor_for(model))
    count = model.objects.count()
    for key in keys:
        response = client.post(url, {field: key}, format="json")
        assert response.status_code == 400, (key, response.status_code)
        assert field in problem_errors(response), key
    assert model.objects.count() == count


def test_the_schema_publishes_the_patterns(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    assert components["MissionRequest"]["properties"]["acronym"]["pattern"] == ACRONYM.regex
    assert components["FindingRequest"]["properties"]["slug"]["pattern"] == SLUG.regex
    assert components["CountryRequest"]["properties"]["iso3"]["pattern"] == ISO3.regex


def test_full_clean_refuses_bad_keys_for_the_admin_and_the_loader(pair):
    mission = Mission.objects.get(acronym="UNMIL")
    mission.acronym = "AUD/IT"
    with pytest.raises(ValidationError) as refused:
        mission.full_clean()
    assert "acronym" in refused.value.message_dict


@pytest.mark.parametrize(
    ("model", "field", "key"),
    [(Mission, "acronym", "AUD/IT"), (Finding, "slug", "Upper"), (Country, "iso3", "abc")],
)
def test_the_database_refuses_bad_keys_too(pair, model, field, key):
    obj = model.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{field: key})


def test_a_record_whose_link_cannot_be_built_does_not_take_down_the_list(pair, monkeypatch):
    f.make_mission(acronym="ZZZ")
    # As if stored before the patterns were enforced: a key no URL can hold.
    real = Mission.get_absolute_url
    monkeypatch.setattr(
        Mission,
        "get_absolute_url",
        lambda self: real(self) if self.acronym != "ZZZ" else real(Mission(acronym="AUD/IT")),
    )
    monkeypatch.setattr(Mission, "natural_key", lambda self: (self.acronym,))
    response = APIClient().get("/api/v1/missions/", {"search": ""})
    assert response.status_code == 200
    rows = {row["acronym"]: row for row in response.json()["results"]}
    assert rows["ZZZ"]["html_url"] is None
    assert rows["UNMIL"]["html_url"].endswith("/missions/UNMIL/")
