"""Shared fixtures and the rule that CI never silently skips the suites needing services.

Locally, tests marked ``postgres`` skip on SQLite and ``browser`` tests skip without
Chromium. CI sets ``OCPO_REQUIRE_POSTGRES=1`` (on its PostgreSQL run) and
``OCPO_REQUIRE_BROWSER=1``: there a missing service fails the run instead.
"""

import importlib
import os
import random

import pytest
from django.db import connection

from tests.kb_snapshot import load_knowledge_base
from tests.redis_server import own_redis  # noqa: F401  (a fixture: a redis-server of the test's own)


def _required(name):
    return os.environ.get(name, "") not in ("", "0", "false")


def fuzz_seed():
    """The fuzzing seed: ``OCPO_FUZZ_SEED`` to replay a run, else a new one per run (so CI
    explores new inputs each time), kept in the environment so every reader agrees."""
    if not os.environ.get("OCPO_FUZZ_SEED"):
        os.environ["OCPO_FUZZ_SEED"] = str(random.SystemRandom().randrange(2**32))
    return int(os.environ["OCPO_FUZZ_SEED"])


def pytest_report_header(config):
    return f"fuzz seed: {fuzz_seed()} (replay with OCPO_FUZZ_SEED={fuzz_seed()})"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """With ``--no-migrations`` (``make mutants``: each mutant's run starts in a second) the
    tables come from the models: add the full-text indexes and the two sources (the paper,
    the editors: every record's default provenance) that migrations would have made, or
    every search answers "no such table" and every record made without a source breaks its
    foreign key."""
    if request.config.getoption("nomigrations", False):
        from django.apps import apps

        from ocpo.search import create_index, create_pg_config, searched_models

        sources = importlib.import_module("sources.migrations.0002_paper_and_editors")
        with django_db_blocker.unblock(), connection.schema_editor() as editor:
            if connection.vendor == "postgresql":
                create_pg_config(editor)
            for model in searched_models():
                fields = model._default_manager.all().own_search_fields()
                create_index(editor, model, [model._meta.get_field(f).column for f in fields])
            sources.create(apps, editor)


def pytest_collection_modifyitems(config, items):
    """Schemathesis names each item after its operation, but pytest 9 builds the node id
    from the function's name alone (every one ``test_api``): put the operation in the id,
    so reports and ``-k``/node-id selection show which operation failed. Under
    ``--no-migrations`` the tests of the migrations themselves have no graph to run."""
    if config.getoption("nomigrations", False):
        skip = pytest.mark.skip(reason="runs migrations: not under --no-migrations")
        for item in items:
            if item.get_closest_marker("migrations"):
                item.add_marker(skip)
    for item in items:
        label = getattr(item, "operation_label", None)
        if not label or item.nodeid.endswith("]"):
            continue
        if hasattr(item, "_id"):  # pytest >= 9: a structured id
            item._id = item.parent.id.child(item.originalname).with_params(label)
        else:
            item._nodeid = f"{item.parent.nodeid}::{item.name}"
    _mutant_test_order(items)


def _mutant_test_order(items):
    """Under ``make mutants``, run the test files in the order ``OCPO_MUTANT_TESTS`` names
    them (a module's quick unit tests first, the page tests after), and tests that load the
    whole knowledge base last: mutmut stops at the first failure, so a killed mutant costs
    the tests before it."""
    wanted = os.environ.get("OCPO_MUTANT_TESTS", "").split()
    if not wanted:
        return

    def rank(item):
        path = str(item.path)
        files = [i for i, name in enumerate(wanted) if name.split("::")[0] in path]
        return ("kb" in getattr(item, "fixturenames", ()), files[0] if files else len(wanted))

    items.sort(key=rank)


def pytest_ignore_collect(collection_path, config):
    """``make mutants`` runs each module's own tests: ``OCPO_MUTANT_TESTS`` names them
    (files or folders), and everything else under tests/ is left out."""
    wanted = os.environ.get("OCPO_MUTANT_TESTS")
    if not wanted:
        return None
    path = collection_path.resolve()
    for name in wanted.split():
        target = (config.rootpath / name).resolve()
        if path == target or target in path.parents or path in target.parents:
            return None
    return True


def pytest_sessionstart(session):
    if _required("OCPO_REQUIRE_POSTGRES"):
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(
                f"OCPO_REQUIRE_POSTGRES is set but DATABASE_URL selects {engine}"
            )


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Skip ``@pytest.mark.postgres`` tests on other databases (fail where CI requires it)."""
    if request.node.get_closest_marker("postgres") is None:
        return
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL: set DATABASE_URL=postgres://..."
        if _required("OCPO_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _content_types_of_this_database(request):
    """Without migrations (``make mutants`` runs ``--no-migrations``), content types are
    made inside a test's transaction and rolled back with it: Django's in-process cache of
    them must not hand their ids to the next test (a foreign-key error at teardown)."""
    if request.config.getoption("nomigrations"):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _no_rate_limits_or_page_cache(settings):
    """Tests make many requests from one address and count the queries views run: rate
    limits and the anonymous page cache are switched off, and tested on their own."""
    from django.core.cache import cache

    settings.OCPO_API_ANON_RATE = None
    settings.OCPO_PAGE_ANON_RATE = None
    settings.OCPO_CACHE_FILL_RATE = None
    settings.OCPO_ANONYMOUS_CACHE = False
    settings.OCPO_AGGREGATE_CACHE = False  # tests write inside a transaction: no bump
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Tests create users by the hundred; the production hasher's work factor only slows
    them down, and what it protects is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kb(db):
    """The bundled knowledge base, as ``make run`` loads it from fixtures/ (loaded once per
    session, then copied: ``tests/kb_snapshot.py``)."""
    load_knowledge_base()
