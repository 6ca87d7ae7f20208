"""Versioned releases: a valid Frictionless Data Package, the same bytes every build, every
foreign key resolving, and checksums recorded in the manifest for the bundled version."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from frictionless import validate

from interfaces.models import Finding
from ocpo import releases

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(kb):
    return releases.build()


def rows(release, resource):
    return list(csv.DictReader(io.StringIO(release.files[resource["path"]].decode())))


def test_two_builds_of_the_same_data_give_the_same_bytes(release):
    again = releases.build()
    assert again.files == release.files
    assert again.zip_bytes() == release.zip_bytes()


def test_a_change_to_the_data_changes_the_release(release):
    finding = Finding.objects.order_by("slug").first()
    finding.summary += " Changed."
    finding.save()
    changed = releases.build()
    assert changed.files["findings.csv"] != release.files["findings.csv"]
    assert changed.checksums()["findings.csv"] != release.checksums()["findings.csv"]


def test_the_package_is_valid_for_frictionless(release, tmp_path):
    folder, _ = release.write(tmp_path)
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])


def test_frictionless_sees_a_dangling_foreign_key(release, tmp_path):
    """The validation above checks foreign keys: a link to no country fails it."""
    folder, _ = release.write(tmp_path)
    links = folder / "findings-countries.csv"
    table = list(csv.reader(io.StringIO(links.read_text())))
    table[1][table[0].index("country")] = "ZZZ"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    links.write_text(buffer.getvalue())
    report = validate(str(folder / "datapackage.json"))
    assert not report.valid
    assert ["foreign-key"] in report.flatten(["type"])


def test_every_foreign_key_resolves(release):
    package = json.loads(release.files["datapackage.json"])
    by_name = {r["name"]: r for r in package["resources"]}
    checked = 0
    for resource in package["resources"]:
        for fk in resource["schema"].get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            known = {
                tuple(r[f] for f in ref_fields) for r in rows(release, by_name[ref["resource"]])
            }
            for row in rows(release, resource):
                value = tuple(row[f] for f in fields)
                if all(value):
                    assert value in known, (resource["name"], value)
                    checked += 1
    assert checked > 300  # every link of the bundled data, not a vacuous pass


def test_tables_hold_every_record_and_link(release):
    package = json.loads(release.files["datapackage.json"])
    by_name = {r["name"]: r for r in package["resources"]}
    assert len(rows(release, by_name["findings"])) == Finding.objects.count()
    links = sum(f.missions.count() for f in Finding.objects.all())
    assert len(rows(release, by_name["findings-missions"])) == links
    data = json.loads(release.files["ocpo.json"])
    assert len(data["findings"]) == Finding.objects.count()


def test_tables_describe_their_fields_from_the_models(release):
    package = json.loads(release.files["datapackage.json"])
    findings = next(r for r in package["resources"] if r["name"] == "findings")
    fields = {f["name"]: f for f in findings["schema"]["fields"]}
    assert findings["schema"]["primaryKey"] == ["slug"]
    assert fields["interface"]["type"] == "string"
    assert all(f["description"] for f in fields.values())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["version"] == release.version


def test_sha256sums_and_the_zip_hold_every_file(release):
    sums = dict(reversed(line.split("  ")) for line in release.sha256sums().splitlines())
    assert set(sums) == set(release.files)
    for name, data in release.files.items():
        assert sums[name] == hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(release.zip_bytes())) as archive:
        names = {n.split("/", 1)[1] for n in archive.namelist()}
        assert names == {*release.files, "SHA256SUMS"}
        assert {i.date_time for i in archive.infolist()} == {releases.ZIP_TIME}


def test_the_manifest_pins_the_bundled_version(kb):
    """fixtures/releases.json holds the checksums of the data in fixtures/ for its version:
    a data change without a new version (or without rebuilding the manifest) fails here."""
    call_command("build_release", "--check")


def test_the_manifest_check_fails_when_the_data_changed(kb):
    finding = Finding.objects.order_by("slug").first()
    finding.summary += " Changed."
    finding.save()
    with pytest.raises(CommandError, match="does not match"):
        call_command("build_release", "--check")
