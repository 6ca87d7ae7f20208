"""The backup and restore path: export_kb from a live database, load_kb into an empty one."""

import pytest
from django.core.management import call_command

from ocpo import kb as knowledge_base

pytestmark = pytest.mark.django_db


def _files(directory):
    return {
        spec.path: (directory / spec.path).read_text(encoding="utf-8")
        for spec in knowledge_base.FILES
    }


def test_export_then_load_into_an_empty_database_reproduces_every_record(kb, tmp_path):
    backup = tmp_path / "backup"
    call_command("export_kb", dir=str(backup), verbosity=0)

    for spec in reversed(knowledge_base.FILES):  # an empty database
        spec.model.objects.all().delete()
    assert not any(spec.model.objects.exists() for spec in knowledge_base.FILES)

    call_command("load_kb", dir=str(backup), verbosity=0)
    restored = tmp_path / "restored"
    call_command("export_kb", dir=str(restored), verbosity=0)
    assert _files(restored) == _files(backup)
