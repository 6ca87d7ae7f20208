"""The API over the bundled knowledge base: spot checks a reader can verify in the paper."""

import pytest
from rest_framework.test import APIClient

from ocpo.kb import data_version
from ocpo.middleware import DATA_VERSION_HEADER
from tests.api_cases import read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(kb):
    return APIClient()


def test_resolution_2070_by_symbol(api):
    body = api.get("/api/v1/documents/", {"symbol": "S/RES/2070"}).json()
    assert body["count"] == 1
    document = body["results"][0]
    assert document["date"] == "2012-10-12"
    assert "HTI" in document["countries"]


def test_unmil_says_which_measures_it_employed_against_which_interfaces(api):
    response = api.get("/api/v1/missions/UNMIL/")
    assert response[DATA_VERSION_HEADER] == data_version()
    mission = response.json()
    assert "LBR" in [country["iso3"] for country in mission["countries"]]
    labels = [application["label"] for application in mission["applications"]]
    assert "Monrovia Freeport" in labels
    assert all(application["measure"] for application in mission["applications"])
    assert mission["findings"]


def test_measures_filtered_by_mission_agree_with_the_mission(api):
    mission = api.get("/api/v1/missions/unmil/").json()  # keys are case-insensitive
    measures = api.get("/api/v1/measures/", {"mission": "UNMIL", "limit": 500}).json()
    assert {m["slug"] for m in measures["results"]} == {
        a["measure"] for a in mission["applications"]
    }
    for measure in measures["results"]:
        assert "UNMIL" in measure["missions"]


def test_applications_of_unmil_include_monrovia_freeport(api):
    rows = api.get("/api/v1/applications/", {"mission": "unmil", "limit": 500}).json()["results"]
    assert "Monrovia Freeport" in [row["label"] for row in rows]


def test_seven_interfaces(api):
    body = api.get("/api/v1/interfaces/").json()
    assert [i["number"] for i in body["results"]] == list(range(1, 8))


def test_csv_of_every_list_has_the_json_count(api):
    root = api.get("/api/v1/").json()
    for name, url in root.items():
        if name in ("changes", "schema", "docs"):  # not resources: no CSV
            continue
        count = api.get(url).json()["count"]
        assert len(read_csv(api.get(url, {"format": "csv"}))) == count, name
