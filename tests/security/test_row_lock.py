"""If-Match under a real race: two editors write the same version at the same moment.

Only PostgreSQL has row locks (SQLite serialises whole writes), so these tests run there;
CI runs the suite on PostgreSQL with ``OCPO_REQUIRE_POSTGRES=1``, where they cannot skip.
Without ``select_for_update`` in ``check_if_match`` both writers see the same ETag, both
pass the precondition and the second silently overwrites the first.
"""

import threading

import pytest
from django.db import connection
from rest_framework.mixins import UpdateModelMixin
from rest_framework.test import APIClient

from missions.models import Mission
from tests.api_cases import make_pair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/missions/UNMIL/"


def test_two_writers_with_the_same_etag_one_wins_one_gets_412(editor, monkeypatch):
    make_pair()
    client = APIClient()
    client.force_authenticate(editor)
    etag = client.get(URL)["ETag"]

    first_is_writing = threading.Event()
    second_passed_the_check = threading.Event()
    original = UpdateModelMixin.perform_update

    def perform_update(self, serializer):
        """The first writer holds its transaction open here, after its precondition passed,
        long enough for the second writer to reach (and, unlocked, pass) its own."""
        if threading.current_thread().name == "first":
            first_is_writing.set()
            second_passed_the_check.wait(timeout=1.5)
        else:
            second_passed_the_check.set()
        original(self, serializer)

    monkeypatch.setattr(UpdateModelMixin, "perform_update", perform_update)
    statuses = {}

    def write(name, summary):
        try:
            if name == "second":
                assert first_is_writing.wait(timeout=10)
            writer = APIClient()
            writer.force_authenticate(editor)
            response = writer.patch(URL, {"summary": summary}, format="json", HTTP_IF_MATCH=etag)
            statuses[name] = response.status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(name, summary), name=name)
        for name, summary in (("first", "First writer."), ("second", "Second writer."))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == {"first": 200, "second": 412}
    assert Mission.objects.get(acronym="UNMIL").summary == "First writer."
