"""Settings come from the environment: DATABASE_URL selects the engine."""

import environ
import pytest


@pytest.mark.parametrize(
    ("url", "engine", "name"),
    [
        (
            "sqlite:////tmp/ocpo-test.sqlite3",
            "django.db.backends.sqlite3",
            "/tmp/ocpo-test.sqlite3",
        ),
        ("postgres://ocpo:secret@db.example:5433/ocpo", "django.db.backends.postgresql", "ocpo"),
    ],
)
def test_database_url_selects_engine(url, engine, name):
    config = environ.Env.db_url_config(url)
    assert config["ENGINE"] == engine
    assert config["NAME"] == name


def test_postgres_url_keeps_credentials():
    config = environ.Env.db_url_config("postgres://ocpo:secret@db.example:5433/ocpo")
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "ocpo",
        "secret",
        "db.example",
        5433,
    )


def test_settings_module_reads_database_url(monkeypatch):
    """Re-import the settings under a PostgreSQL URL: the project picks psycopg's backend."""
    import importlib

    import ocpo.settings

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/ocpo_x")
    try:
        reloaded = importlib.reload(ocpo.settings)
        assert reloaded.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        assert reloaded.DATABASES["default"]["NAME"] == "ocpo_x"
    finally:
        monkeypatch.undo()
        importlib.reload(ocpo.settings)


def test_production_requires_secret_key(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import ocpo.settings

    monkeypatch.setenv("OCPO_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    try:
        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
            importlib.reload(ocpo.settings)
    finally:
        monkeypatch.undo()
        importlib.reload(ocpo.settings)
