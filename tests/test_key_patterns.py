"""Natural keys fit one documented pattern per kind, wherever they are made.

A key like ``AUD/IT`` or ``..`` once committed broke every page linking to its record;
upper-case slugs were accepted although keys are documented as lower case. A slug equal to
a list's route word (``/api/v1/findings/cite/``) would make its record unreachable there.
"""

import re
import shutil

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from interfaces.models import Finding
from missions.models import Country, Document, Mission
from ocpo import api
from ocpo import kb as knowledge_base
from ocpo.keys import (
    ACRONYM,
    ISO3,
    ROUTE_WORDS,
    SLUG,
    validate_acronym,
    validate_iso3,
    validate_slug_key,
)
from tests import factories as f
from tests.api_cases import editor_for, make_pair, problem_errors

pytestmark = pytest.mark.django_db

BAD = {
    "acronym": ["AUD/IT", "..", "unmil", "UN MIL", "UNMIL\n", "-UN", "UN--MIL", ""],
    "slug": ["Upper-Case", "a_b", "a--b", "-a", "a-", "..", "a/b", "x\n", "é", "cite", "cite\n"],
    "iso3": ["lbr", "LB", "LBRA", "L1R", "LBR\n"],
}
GOOD = {
    "acronym": ["UNMIL", "MINUSTAH", "UN-HABITAT", "K4"],
    "slug": ["illicit-mining", "s-res-1509", "a1", "cite-x", "recite", "cite2", "x-cite"],
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


def test_a_route_word_is_refused_saying_why():
    with pytest.raises(ValidationError) as refused:
        validate_slug_key("cite")
    assert refused.value.code == "reserved_key"
    assert "route word of the API" in refused.value.messages[0]


def _list_route_words():
    """The words the API's routes take right after a resource's prefix, as the router and
    the extra routes (``cite_api``, a viewset's ``@action(detail=False)``) declare them."""
    prefixes = {prefix for prefix, _, _ in api.router.registry}
    words = set()
    for pattern in api.urlpatterns:
        route = str(pattern.pattern).removeprefix("^").removesuffix("$")
        prefix, _, rest = route.partition("/")
        word = rest.split("/")[0]
        if prefix in prefixes and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", word):
            words.add(word)  # a literal word, where a detail route has its key
    return words


def test_every_list_route_word_is_reserved_from_the_slugs():
    assert _list_route_words() == set(ROUTE_WORDS)
    for word in ROUTE_WORDS:
        with pytest.raises(ValidationError):
            validate_slug_key(word)
        assert not re.search(SLUG.regex, word)


@pytest.fixture
def pair(db):
    return make_pair()


@pytest.mark.parametrize(
    ("url", "field", "keys"),
    [
        ("/api/v1/missions/", "acronym", ["AUD/IT", "..", "unmil-2"]),
        ("/api/v1/documents/", "slug", ["Upper-Case", "a_b", "..", "cite"]),
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


def test_the_api_says_why_a_route_word_is_refused_and_takes_its_neighbours(pair):
    client = APIClient()
    client.force_authenticate(editor_for(Document))
    response = client.post("/api/v1/documents/", {"slug": "cite"}, format="json")
    assert response.status_code == 400
    assert "route word of the API" in problem_errors(response)["slug"][0]
    for key in ["cite-x", "recite"]:
        response = client.post("/api/v1/documents/", {"slug": key}, format="json")
        assert response.status_code == 400  # the other required fields are missing
        assert "slug" not in problem_errors(response), key


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
    [
        (Mission, "acronym", "AUD/IT"),
        (Finding, "slug", "Upper"),
        (Finding, "slug", "cite"),
        (Country, "iso3", "abc"),
    ],
)
def test_the_database_refuses_bad_keys_too(pair, model, field, key):
    obj = model.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{field: key})


def test_the_loader_refuses_a_route_word_naming_the_file_and_record(tmp_path, settings):
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, copy)
    settings.KB_FIXTURES_DIR = copy
    path = copy / "interfaces/activities.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    records.insert(1, {"slug": "cite", "name": "Cite", "description": "A route word."})
    path.write_text(knowledge_base.file_text(records), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_kb", verbosity=0)
    message = str(refused.value)
    assert re.search(r"interfaces/activities\.yaml, record 2 \(cite\): .*slug", message), message
    assert "route word of the API" in message


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
