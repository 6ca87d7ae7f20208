"""The About and Data pages: licences, versions with checksums, a download that matches its
published checksum, and schema.org Dataset markup a catalogue can read."""

import base64
import hashlib
import json
import re

import pytest

from missions.models import Country
from ocpo import releases

pytestmark = pytest.mark.django_db


def json_ld(response):
    block = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(block.group(1))


def test_about_states_the_licences_the_version_and_what_the_text_does_not_give(client, kb):
    page = client.get("/about/").content.decode()
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert "Apache License 2.0" in page
    assert "does not print its author" in page
    assert "0.1.0" in page or releases.kb.data_version() in page
    assert "<h1>Changelog</h1>" not in page


def test_the_data_page_lists_every_release_with_its_checksums(client, kb):
    page = client.get("/data/").content.decode()
    for entry in releases.read_manifest():
        assert entry["zip_sha256"] in page
        for digest in entry["files"].values():
            assert digest in page


def test_the_download_is_the_release_whose_checksum_is_published(client, kb):
    version = releases.kb.data_version()
    response = client.get(f"/data/ocpo-{version}.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    digest = hashlib.sha256(response.content).digest()
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
    published = {e["version"]: e for e in releases.read_manifest()}[version]
    assert hashlib.sha256(response.content).hexdigest() == published["zip_sha256"]


def test_only_the_current_version_is_built_for_download(client, kb):
    assert client.get("/data/ocpo-0.0.1.zip").status_code == 404


def test_the_dataset_markup_names_version_licence_coverage_and_checksum(client, kb):
    dataset = json_ld(client.get("/data/"))
    assert dataset["@type"] == "Dataset"
    assert dataset["version"] == releases.kb.data_version()
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {"@type": "Place", "name": "Haiti"} in dataset["spatialCoverage"]
    current = releases.read_manifest()[0]
    assert dataset["distribution"][0]["sha256"] == current["zip_sha256"]
    first, last = dataset["temporalCoverage"].split("/")
    assert int(first) < int(last)


def test_no_record_text_can_close_the_dataset_markup(client, kb):
    Country.objects.filter(iso3="HTI").update(name="</script><script>alert(1)</script>")
    response = client.get("/data/")
    assert b"</script><script>alert(1)" not in response.content
    names = {p["name"] for p in json_ld(response)["spatialCoverage"]}
    assert "</script><script>alert(1)</script>" in names
