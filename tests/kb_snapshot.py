"""The bundled knowledge base, loaded once per test session and copied into each test.

About 130 tests start from the knowledge base as ``make run`` loads it. A real load writes
~300 records with their links, history versions, search words and sync hashes: 3 s on
SQLite and more on PostgreSQL, each time. The first test that asks runs ``load_kb`` and
keeps every row the load wrote; later tests get the same rows inserted as they are (ids,
timestamps and all), which costs a fraction of that. The load itself stays under test: the
first test of the session runs it, and the tests of ``load_kb`` call the command themselves.

A snapshot is used only where it is exact: in a database holding what it held before the
snapshot's load (the same content types, with the same ids: a flush between live-server
tests gives them new ones), and only when that load wrote nothing but new rows (no table
that held rows before it changed). Anywhere else the test loads for real.
"""

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

_snapshots = {}


def _models_by_table():
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


def _columns(model):
    """The columns a row is written with: stored ones (PostgreSQL's generated search vector
    is not a model field, and Django's own generated fields are skipped)."""
    return [
        field.column
        for field in model._meta.concrete_fields
        if not getattr(field, "generated", False)
    ]


def _read(cursor, table, columns):
    qn = connection.ops.quote_name
    cursor.execute(f"SELECT {', '.join(map(qn, columns))} FROM {qn(table)}")
    return cursor.fetchall()


def _state(models):
    """``{table: rows}`` of every model's table."""
    with connection.cursor() as cursor:
        return {table: _read(cursor, table, _columns(model)) for table, model in models.items()}


def _fingerprint(state):
    """What the tables that hold rows hold, in any order."""
    return repr(sorted((table, sorted(map(repr, rows))) for table, rows in state.items() if rows))


def _take(models, before):
    """The rows the load added, or None if it changed a table that held rows already."""
    after = _state(models)
    added = {}
    for table, rows in after.items():
        if before[table]:
            if sorted(map(repr, before[table])) != sorted(map(repr, rows)):
                return None
        elif rows:
            added[table] = rows
    return added


def _restore(models, added):
    qn = connection.ops.quote_name
    placeholder = "%s"
    with connection.cursor() as cursor:
        for table, rows in added.items():
            columns = _columns(models[table])
            cursor.executemany(
                f"INSERT INTO {qn(table)} ({', '.join(map(qn, columns))}) "
                f"VALUES ({', '.join([placeholder] * len(columns))})",
                rows,
            )
        # Rows came with their ids: sequences must move past them for the test's own writes.
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [models[table] for table in added]
        ):
            cursor.execute(statement)


def load_knowledge_base():
    """The knowledge base as ``load_kb`` leaves it, from a snapshot where one is exact."""
    key = (connection.alias, connection.vendor, str(settings.KB_FIXTURES_DIR))
    models = _models_by_table()
    before = _state(models)
    if key in _snapshots:
        fingerprint, added = _snapshots[key]
        if added is not None and fingerprint == _fingerprint(before):
            _restore(models, added)
            return
        call_command("load_kb", verbosity=0)
        return
    call_command("load_kb", verbosity=0)
    _snapshots[key] = (_fingerprint(before), _take(models, before))
