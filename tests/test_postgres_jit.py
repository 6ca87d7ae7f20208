"""PostgreSQL's JIT compiler is off on ocpo's connections (see settings: it cost seconds)."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_jit_is_off_on_every_connection():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
