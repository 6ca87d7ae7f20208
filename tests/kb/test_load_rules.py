"""What a load may change: create and update from the files; never delete unasked, never
overwrite database edits not yet exported, never act on a damaged file."""

import io
import os
import shutil
import stat
import subprocess
import sys

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from interfaces.models import Finding
from ocpo import kb as knowledge_base

pytestmark = pytest.mark.django_db

FINDINGS = "interfaces/findings.yaml"


@pytest.fixture
def fixtures(tmp_path, settings):
    """A copy of the bundled fixtures serving as the editors' folder, loaded."""
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, copy)
    settings.KB_FIXTURES_DIR = copy
    call_command("load_kb", verbosity=0)
    return copy


def _records(folder, path=FINDINGS):
    return yaml.safe_load((folder / path).read_text(encoding="utf-8"))


def _write(folder, records, path=FINDINGS):
    (folder / path).write_text(knowledge_base.file_text(records), encoding="utf-8")


def _load(*args, **options):
    out = io.StringIO()
    call_command("load_kb", *args, stdout=out, **options)
    return out.getvalue()


def _state():
    """The knowledge base as the database holds it: every record's canonical content."""
    return {
        spec.path: {
            key: knowledge_base.content_digest(spec, knowledge_base.serialize(spec, obj))
            for key, obj in knowledge_base.database_records(spec).items()
        }
        for spec in knowledge_base.FILES
    }


# --------------------------------------------------------------- records lost from a file


def test_a_file_that_loses_records_is_refused_naming_them(fixtures):
    records = _records(fixtures)
    lost = [records.pop()["slug"], records.pop()["slug"]]
    _write(fixtures, records)
    before = _state()
    with pytest.raises(CommandError) as error:
        _load(verbosity=0)
    message = str(error.value)
    assert FINDINGS in message and all(slug in message for slug in lost), message
    assert "--prune" in message and "Nothing was loaded" in message
    assert _state() == before


def test_an_emptied_file_is_refused_and_changes_nothing(fixtures):
    before = _state()
    (fixtures / FINDINGS).write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match=r"interfaces/findings\.yaml: file is empty"):
        _load(verbosity=0)
    _write(fixtures, [])  # a well-formed file with no records loses all 52
    with pytest.raises(
        CommandError, match=r"missing from the files:\n  interfaces/findings\.yaml: "
    ):
        _load(verbosity=0)
    assert _state() == before
    assert Finding.objects.count() == 52


def test_prune_deletes_only_what_it_names_once_confirmed(fixtures, monkeypatch):
    records = _records(fixtures)
    lost = records.pop()["slug"]
    _write(fixtures, records)

    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="Nothing was deleted"):
        _load(prune=True)
    assert Finding.objects.filter(slug=lost).exists()

    out = _load(prune=True, dry_run=True)
    assert "Would delete 1 record(s)" in out and lost in out
    assert Finding.objects.filter(slug=lost).exists()

    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    out = _load(prune=True)
    assert lost in out and "1 deleted" in out
    assert not Finding.objects.filter(slug=lost).exists()
    assert Finding.objects.count() == len(records)


def test_prune_without_input_for_scripts(fixtures, monkeypatch):
    records = _records(fixtures)
    lost = records.pop(0)["slug"]
    _write(fixtures, records)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked"))
    _load(prune=True, interactive=False)
    assert not Finding.objects.filter(slug=lost).exists()


# ---------------------------------------------------------------------- damaged files


def _cut(folder, at):
    path = folder / FINDINGS
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: at(text)], encoding="utf-8")


CUTS = {
    "at a record boundary": lambda text: text.index("\n- slug:", len(text) // 2) + 1,
    "inside a record": lambda text: text.index("  summary:", len(text) // 2) + 12,
    "just before the last line": lambda text: text.rindex(knowledge_base.END_OF_FILE),
}


@pytest.mark.parametrize("where", CUTS)
def test_a_file_cut_short_is_refused_and_changes_nothing(fixtures, where):
    before = _state()
    _cut(fixtures, CUTS[where])
    with pytest.raises(CommandError, match=r"interfaces/findings\.yaml: file is cut short"):
        _load(verbosity=0)
    assert _state() == before


def test_a_file_cut_short_is_refused_by_an_empty_database_too(tmp_path, settings):
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, copy)
    _cut(copy, lambda text: text.index("\n- slug:", len(text) // 2) + 1)
    with pytest.raises(CommandError, match="cut short"):
        _load(dir=str(copy), verbosity=0)
    assert knowledge_base.database_is_empty()


def test_a_missing_required_field_is_an_error_never_a_blanking(fixtures):
    records = _records(fixtures)
    del records[3]["summary"]
    _write(fixtures, records)
    slug = records[3]["slug"]
    with pytest.raises(CommandError, match=rf"record 4 \({slug}\): missing required .*summary"):
        _load(verbosity=0)
    assert Finding.objects.get(slug=slug).summary


def test_a_file_not_in_utf8_is_named_without_a_traceback(fixtures):
    path = fixtures / "missions/countries.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").replace("Côte", "C\xf4te").encode("latin-1"))
    with pytest.raises(CommandError, match=r"missions/countries\.yaml: not UTF-8 .*line \d+"):
        _load(verbosity=0)


# ------------------------------------------------------------------ unexported edits


def _edit_in_database(slug, summary="Edited in the admin, not exported."):
    finding = Finding.objects.get(slug=slug)
    finding.summary = summary
    finding.save()
    return finding


def test_a_load_refuses_to_overwrite_an_unexported_edit(fixtures):
    slug = _records(fixtures)[5]["slug"]
    _edit_in_database(slug)
    with pytest.raises(CommandError) as error:
        _load(verbosity=0)
    message = str(error.value)
    assert f"{FINDINGS}: {slug} (edited in the database)" in message, message
    assert "export_kb" in message and "--force" in message
    assert Finding.objects.get(slug=slug).summary == "Edited in the admin, not exported."


def test_an_api_edit_is_protected_too(fixtures, client, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("ed", is_staff=True)
    editor.groups.add(Group.objects.get(name="editors"))
    client.force_login(editor)
    slug = _records(fixtures)[0]["slug"]
    response = client.patch(
        f"/api/v1/findings/{slug}/", {"summary": "Via the API."}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    with pytest.raises(CommandError, match=rf"{slug} \(edited in the database\)"):
        _load(verbosity=0)


def test_a_record_deleted_in_the_database_is_not_brought_back_unasked(fixtures):
    finding = Finding.objects.order_by("slug").last()
    finding.delete()
    with pytest.raises(CommandError, match=rf"{finding.slug} \(deleted in the database\)"):
        _load(verbosity=0)
    assert not Finding.objects.filter(slug=finding.slug).exists()


def test_a_record_created_in_the_database_is_neither_deleted_nor_silently_kept(fixtures):
    original = Finding.objects.first()
    original.pk, original.slug = None, "created-in-the-admin"
    original.save()
    with pytest.raises(CommandError, match=r"created-in-the-admin \(created in the database\)"):
        _load(verbosity=0, prune=True, interactive=False)
    assert Finding.objects.filter(slug="created-in-the-admin").exists()


def test_force_overwrites_the_edit_with_the_files(fixtures):
    records = _records(fixtures)
    _edit_in_database(records[5]["slug"])
    _load(force=True, verbosity=0)
    assert Finding.objects.get(slug=records[5]["slug"]).summary == records[5]["summary"]


def test_an_exported_edit_is_kept_by_the_next_load(fixtures):
    slug = _records(fixtures)[5]["slug"]
    _edit_in_database(slug)
    call_command("export_kb", verbosity=0)
    assert "Edited in the admin" in (fixtures / FINDINGS).read_text(encoding="utf-8")
    out = _load()
    assert "0 created, 0 updated, 300 unchanged, 0 deleted" in out
    assert Finding.objects.get(slug=slug).summary == "Edited in the admin, not exported."


def test_an_edit_of_the_files_is_loaded(fixtures):
    records = _records(fixtures)
    records[7]["summary"] = "Edited in the file."
    records[7]["countries"] = ["HTI", "LBR"]
    _write(fixtures, records)
    out = _load()
    assert "0 created, 1 updated, 299 unchanged" in out
    finding = Finding.objects.get(slug=records[7]["slug"])
    assert finding.summary == "Edited in the file."
    linked = [c if isinstance(c, str) else c["key"] for c in records[7].get("countries", [])]
    assert sorted(finding.countries.values_list("iso3", flat=True)) == sorted(linked)
    assert linked


def test_an_edit_on_both_sides_is_refused(fixtures):
    records = _records(fixtures)
    records[7]["summary"] = "Edited in the file."
    _write(fixtures, records)
    _edit_in_database(records[7]["slug"])
    with pytest.raises(CommandError, match=rf"{records[7]['slug']} \(edited in the database\)"):
        _load(verbosity=0)


def test_loading_a_copy_elsewhere_does_not_mark_the_edits_exported(fixtures, tmp_path):
    """A load from another folder changes the database, not the editors' files."""
    other = tmp_path / "other"
    shutil.copytree(fixtures, other)
    records = _records(other)
    records[2]["summary"] = "Only in the other folder."
    _write(other, records)
    _load(dir=str(other), verbosity=0)
    with pytest.raises(CommandError, match=rf"{records[2]['slug']} \(edited in the database\)"):
        _load(verbosity=0)


def test_a_dry_run_changes_nothing(fixtures):
    records = _records(fixtures)
    records[7]["summary"] = "Edited in the file."
    _write(fixtures, records)
    out = _load(dry_run=True)
    assert "Dry run" in out and records[7]["slug"] in out
    assert Finding.objects.get(slug=records[7]["slug"]).summary != "Edited in the file."


# ------------------------------------------------------------------------- make run


def test_if_empty_keeps_the_editors_database(fixtures):
    slug = _records(fixtures)[5]["slug"]
    _edit_in_database(slug)
    out = _load(if_empty=True)
    assert "differs from the files and was kept" in out and "1 changed in the database" in out
    assert f"{FINDINGS}: {slug} (edited in the database)" in out
    assert Finding.objects.get(slug=slug).summary == "Edited in the admin, not exported."


def test_if_empty_loads_an_empty_database(tmp_path):
    _load(if_empty=True, verbosity=0)
    assert Finding.objects.count() == 52


def test_make_run_loads_only_into_an_empty_database():
    recipe = subprocess.run(
        ["make", "-n", "run"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "BIN": ".venv/bin"},
    ).stdout
    loads = [line for line in recipe.splitlines() if "load_kb" in line]
    assert loads and all("--if-empty" in line for line in loads), recipe


# -------------------------------------------------------------------------- export


def test_export_names_the_changed_files_and_asks_for_a_version_bump(fixtures):
    _edit_in_database(_records(fixtures)[5]["slug"])
    out = io.StringIO()
    call_command("export_kb", stdout=out)
    changed = [line for line in out.getvalue().splitlines() if line.startswith("changed")]
    assert len(changed) == 1 and changed[0].endswith(FINDINGS), out.getvalue()
    assert "bump fixtures/VERSION" in out.getvalue() and "CHANGELOG.md" in out.getvalue()

    out = io.StringIO()
    call_command("export_kb", stdout=out)
    assert "No file changed" in out.getvalue() and "VERSION" not in out.getvalue()


def test_an_interrupted_export_leaves_every_file_whole(fixtures, monkeypatch):
    _edit_in_database(_records(fixtures)[5]["slug"])
    before = (fixtures / FINDINGS).read_bytes()

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(knowledge_base.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        call_command("export_kb", verbosity=0)
    assert (fixtures / FINDINGS).read_bytes() == before
    leftovers = [p.name for p in (fixtures / "interfaces").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_damaged_file_is_reported_from_the_command_line_without_a_traceback(tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, copy)
    path = copy / "missions/countries.yaml"
    path.write_bytes(path.read_bytes().replace("Côte".encode(), "Côte".encode("latin-1")))
    result = subprocess.run(
        [sys.executable, "manage.py", "load_kb", "--dir", str(copy)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"},
    )
    assert result.returncode == 1
    assert "missions/countries.yaml: not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_an_export_elsewhere_does_not_mark_the_edits_exported(fixtures, tmp_path):
    """A backup is not the editors' files: their load still refuses the edit."""
    slug = _records(fixtures)[5]["slug"]
    _edit_in_database(slug)
    call_command("export_kb", dir=str(tmp_path / "backup"), verbosity=0)
    with pytest.raises(CommandError, match=rf"{slug} \(edited in the database\)"):
        _load(verbosity=0)


def test_an_export_keeps_the_files_readable_by_others(fixtures):
    mode = stat.S_IMODE((fixtures / FINDINGS).stat().st_mode)
    _edit_in_database(_records(fixtures)[5]["slug"])
    call_command("export_kb", verbosity=0)
    assert stat.S_IMODE((fixtures / FINDINGS).stat().st_mode) == mode
    (fixtures / FINDINGS).unlink()
    call_command("export_kb", verbosity=0)
    assert stat.S_IMODE((fixtures / FINDINGS).stat().st_mode) == 0o644


def test_prune_refuses_when_the_deletions_changed_after_confirmation(fixtures):
    records = _records(fixtures)
    records.pop()
    _write(fixtures, records)
    with pytest.raises(knowledge_base.KnowledgeBaseError, match="changed since they were listed"):
        knowledge_base.load(prune=True, confirmed_deletions=[])
    assert Finding.objects.count() == 52


def test_a_long_listing_is_cut_per_file():
    spec = knowledge_base.FILES[0]
    changes = [knowledge_base.Change(spec, (f"K{n:02d}",)) for n in range(12)]
    text = knowledge_base.listing(changes)
    assert text == f"  {spec.path}: " + "; ".join(f"K{n:02d}" for n in range(10)) + "; and 2 more"
    assert "more" not in knowledge_base.listing(changes[:10])


def test_an_edit_saved_during_an_export_is_not_counted_as_exported(fixtures, monkeypatch):
    slug = _records(fixtures)[5]["slug"]
    _edit_in_database(_records(fixtures)[0]["slug"])  # so that the export writes a file
    write = knowledge_base.write_atomically

    def write_then_edit(target, text):
        write(target, text)
        _edit_in_database(slug, "Saved while the export ran.")

    monkeypatch.setattr(knowledge_base, "write_atomically", write_then_edit)
    call_command("export_kb", verbosity=0)
    monkeypatch.undo()
    with pytest.raises(CommandError, match=rf"{slug} \(edited in the database\)"):
        _load(verbosity=0)
    assert Finding.objects.get(slug=slug).summary == "Saved while the export ran."
