"""The editors' workflow: load_kb is atomic and idempotent, export_kb gives the same bytes."""

import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from interfaces.models import Finding
from ocpo import kb as knowledge_base

pytestmark = pytest.mark.django_db

FIXTURES = settings.KB_FIXTURES_DIR


def _export_text(tmp_path, name):
    target = tmp_path / name
    knowledge_base.export(target)
    return {
        spec.path: (target / spec.path).read_text(encoding="utf-8") for spec in knowledge_base.FILES
    }


def test_every_file_is_bundled():
    for spec in knowledge_base.FILES:
        assert (FIXTURES / spec.path).exists(), spec.path
    assert (FIXTURES / "VERSION").read_text().strip()
    assert knowledge_base.data_version() in (FIXTURES / "CHANGELOG.md").read_text()


def test_load_then_export_is_byte_identical(kb, tmp_path):
    exported = _export_text(tmp_path, "export")
    for spec in knowledge_base.FILES:
        original = (FIXTURES / spec.path).read_text(encoding="utf-8")
        assert exported[spec.path] == original, f"{spec.path} changes on a round trip"


def test_loading_twice_gives_the_same_database(kb, tmp_path):
    ids = dict(Finding.objects.values_list("slug", "pk"))
    first = _export_text(tmp_path, "first")
    call_command("load_kb", verbosity=0)
    assert _export_text(tmp_path, "second") == first
    assert dict(Finding.objects.values_list("slug", "pk")) == ids, "ids must stay put"


def _plant(tmp_path, path, change):
    """A copy of the bundled fixtures with ``change`` applied to one file's records."""
    copy = tmp_path / "broken"
    shutil.copytree(FIXTURES, copy)
    target = copy / path
    records = yaml.safe_load(target.read_text(encoding="utf-8"))
    change(records)
    target.write_text(knowledge_base.file_text(records), encoding="utf-8")
    return copy


def _set(index, **fields):
    def change(records):
        records[index].update(fields)

    return change


def _drop_field(index, name):
    def change(records):
        del records[index][name]

    return change


def _duplicate(index):
    def change(records):
        records.append(dict(records[index]))

    return change


BROKEN = {
    "bad reference": (
        "interfaces/findings.yaml",
        _set(0, interface="no-such-interface"),
        r"interfaces/findings\.yaml, record 1 .*interface.*no-such-interface",
    ),
    "bad many-to-many reference": (
        "missions/missions.yaml",
        _set(0, countries=["ZZZ"]),
        r"missions/missions\.yaml, record 1 .*countries.*ZZZ",
    ),
    "missing field": (
        "missions/missions.yaml",
        _drop_field(0, "name"),
        r"missions/missions\.yaml, record 1 .*name",
    ),
    "malformed date": (
        "missions/documents.yaml",
        _set(-1, date="2012-13-45"),
        r"missions/documents\.yaml, record \d+ .*date",
    ),
    "duplicate key": (
        "measures/measures.yaml",
        _duplicate(0),
        r"measures/measures\.yaml, record \d+ .*duplicate",
    ),
    "unknown field": (
        "interfaces/interfaces.yaml",
        _set(0, colour="red"),
        r"interfaces/interfaces\.yaml, record 1 .*colour",
    ),
    "check constraint": (
        "interfaces/findings.yaml",
        _set(-1, footnotes="ten"),
        r"interfaces/findings\.yaml, record \d+ .*rejected by the database",
    ),
    "invalid choice": (
        "missions/missions.yaml",
        _set(0, kind="militia"),
        r"missions/missions\.yaml, record 1 .*kind",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_file_is_rejected_and_changes_nothing(kb, tmp_path, case):
    path, change, message = BROKEN[case]
    broken = _plant(tmp_path, path, change)
    before = _export_text(tmp_path, "before")
    with pytest.raises(CommandError, match=message):
        call_command("load_kb", dir=str(broken), verbosity=0)
    assert _export_text(tmp_path, "after") == before


def test_invalid_yaml_names_the_file(kb, tmp_path):
    copy = tmp_path / "broken"
    shutil.copytree(FIXTURES, copy)
    (copy / "measures/areas.yaml").write_text("- number: [1\n# end of file\n")
    with pytest.raises(CommandError, match=r"measures/areas\.yaml: not valid YAML"):
        call_command("load_kb", dir=str(copy), verbosity=0)


def test_a_broken_file_leaves_an_empty_database_empty(tmp_path):
    broken = _plant(tmp_path, "measures/applications.yaml", _set(0, mission="NOPE"))
    with pytest.raises(CommandError, match="applications.yaml, record 1"):
        call_command("load_kb", dir=str(broken), verbosity=0)
    # Empty, that is holding only what the migrations seed (the paper and the editors as
    # sources, the paper's sections), as before the load.
    for spec in knowledge_base.FILES:
        if spec.model_label not in knowledge_base.MIGRATION_SEEDED:
            assert not spec.model.objects.exists(), spec.path
    assert knowledge_base.database_is_empty()
