"""Migrations cover every model change."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exit_:  # makemigrations --check exits 1 when changes are missing
        pytest.fail(f"missing migrations (exit {exit_.code}):\n{out.getvalue()}")
