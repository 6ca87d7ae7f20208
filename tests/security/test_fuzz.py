"""Schemathesis fuzzes every operation of /api/v1/schema/, writes included, with every check.

The application answers in-process (WSGI) on the bundled knowledge base, as an editor
authenticated by token, so unsafe methods reach validation and the database. Path keys are
drawn from real records as well as made up, so PUT/PATCH/DELETE meet existing rows. Each
operation runs in a savepoint (``django_db``) that is rolled back: no operation sees
another's writes.
The seed changes on every run and is printed in the report header; ``OCPO_FUZZ_SEED=<seed>``
replays a run. Add a failure's minimal input to ``test_regressions.py``.
"""

import datetime
import re
from urllib.parse import parse_qs, urlparse

import hypothesis
import pytest
import schemathesis
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.core.parameters import ParameterLocation

from ocpo.api import router
from ocpo.editors import EDITORS_GROUP
from ocpo.keys import ROUTE_WORDS
from tests.conftest import fuzz_seed

# django_db: each operation runs in its own savepoint inside the module's transaction.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = 100
SEED = fuzz_seed()

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # The editor's token is sent with every request; no made-up session cookies beside it.
        "generation": {
            "max-examples": EXAMPLES,
            "mode": "all",
            "with-security-parameters": False,
        },
        "checks": {
            "enabled": True,
            # A body can be valid by the schema and still name a record that does not exist
            # or a key already taken: the schema cannot say which keys exist, so 400 is a
            # correct answer to valid-looking data. 412: a made-up If-Match never matches.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "429"]
            },
            # A made-up If-Match refuses a write before its body is read (RFC 9110 13.2.2).
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "412", "415"]
            },
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=CONFIG)

# Natural keys of real records, per path prefix, filled once the knowledge base is loaded.
REAL_KEYS = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, aim at a record that exists instead of a made-up key."""
    operation = context.operation
    keys = REAL_KEYS.get(operation.path.split("/")[3]) if operation else None
    if not keys or not path_parameters:
        return st.just(path_parameters).filter(_names_a_record)
    (name,) = path_parameters
    real = st.sampled_from(keys).map(lambda key: {name: key})
    return st.one_of(st.just(path_parameters).filter(_names_a_record), real)


def _names_a_record(path_parameters):
    """Not a list's route word (/api/v1/findings/cite/), which reaches that route, not a
    record. No stored key is one (the key patterns refuse them), but a path parameter is
    published as any text without a slash (a key in any case, or a numeric id), so a made-up
    key can be one."""
    values = (path_parameters or {}).values()
    return not set(ROUTE_WORDS) & {str(value) for value in values}


def _reads_as_valid(parameter, texts):
    """Whether the server, which sees only text, reads ``texts`` as a valid value."""
    schema = parameter.get("schema", {})
    if schema.get("type") == "array":
        return True  # any text is a key; an unknown one matches nothing
    if len(texts) != 1:
        return False  # given twice: refused
    (text,) = texts
    if text == "" and parameter.get("allowEmptyValue"):
        return True
    if "enum" in schema:
        return text in schema["enum"]
    if schema.get("type") == "integer":
        if not re.fullmatch(r"[0-9]+", text):
            return False
        return schema.get("minimum", 0) <= int(text) <= schema.get("maximum", int(text))
    if schema.get("format") == "date":
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            return False
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None
    return schema.get("type", "string") == "string"


@schema.hook
def filter_failure(context, failure, case, response):
    """Keep a 'negative data accepted' failure only if the query, as sent, really was invalid.

    On the wire every query value is text: a generated number, list or null may serialize
    to text the parameter accepts (``region=0.0`` is a region name, ``limit`` drawn as ``[]``
    is not sent at all). Such a case was valid when it arrived, and 200 was right.
    """
    if type(failure).__name__ != "AcceptedNegativeData" or case.meta is None:
        return True
    elsewhere = ("PATH", "HEADER", "COOKIE", "BODY")
    if any(case.meta.is_negative_at(ParameterLocation[loc]) for loc in elsewhere):
        return True
    sent = parse_qs(urlparse(response.request.url).query, keep_blank_values=True)
    parameters = case.operation.definition.raw.get("parameters", [])
    declared = {p["name"]: p for p in parameters if p["in"] == "query"}
    return not all(
        name in declared and _reads_as_valid(declared[name], texts) for name, texts in sent.items()
    )


@pytest.fixture(scope="module")
def editor_token(django_db_setup, django_db_blocker):
    """The knowledge base and an editor's token, for the whole module, undone at its end."""
    # The WSGI handler closes the connection after each request, as a server must; inside
    # the test's transaction that would lose it, so the test client's rule applies here too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_kb", verbosity=0)
            editor = User.objects.create_user("fuzz-editor", password="x")
            editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
            for prefix, viewset, _ in router.registry:
                field = viewset.lookup_field
                REAL_KEYS[prefix] = [
                    str(key) for key in viewset.queryset.model.objects.values_list(field, flat=True)
                ][:20]
            yield Token.objects.create(user=editor).key
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@hypothesis.seed(SEED)
def test_api(case, editor_token):
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"})
