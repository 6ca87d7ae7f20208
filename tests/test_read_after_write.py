"""Read-after-write with concurrent readers, in real transactions on PostgreSQL.

Readers in other threads (each its own database connection) ask for pages while a write
is saved but not yet committed. They must not leave the old data cached under the state
that follows the write: once the write has committed, every reader sees it. With the data
state bumped in ``post_save`` (inside the transaction) these tests fail: the readers cache
the old page under the new token, and it is served until the next write.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from interfaces.models import Finding
from tests.factories import make_finding, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URLS = ["/api/v1/findings/", "/findings/", "/api/v1/findings/?limit=100", "/"]
READERS = 4


def _threaded(target, *args):
    def run():
        try:
            target(*args)
        finally:
            connection.close()  # each thread's own connection, or the test database stays busy

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _read_during(write, urls=tuple(URLS)):
    """Run ``write`` in a transaction; READERS threads read every URL before it commits."""
    saved, reads_done = threading.Event(), threading.Barrier(READERS + 1)
    seen = []

    def writer():
        with transaction.atomic():
            write()
            saved.set()
            reads_done.wait(timeout=30)

    def reader():
        saved.wait(timeout=30)
        client = Client()
        seen.extend(client.get(url).status_code for url in urls)
        reads_done.wait(timeout=30)

    threads = [_threaded(writer)] + [_threaded(reader) for _ in range(READERS)]
    for thread in threads:
        thread.join(timeout=60)
    assert seen == [200] * (READERS * len(urls))


@pytest.fixture
def world(settings):
    settings.OCPO_ANONYMOUS_CACHE = True
    make_world(1)


def test_a_created_record_is_seen_after_its_commit(world):
    client = Client()
    before = client.get("/api/v1/findings/").json()["count"]
    _read_during(lambda: make_finding(slug="written-while-read", title="Written while read"))
    assert client.get("/api/v1/findings/").json()["count"] == before + 1
    assert "written-while-read" in client.get("/api/v1/findings/?limit=100").content.decode()
    assert "Written while read" in client.get("/findings/").content.decode()


def test_a_deleted_record_is_gone_after_its_commit(world):
    client = Client()
    finding = make_finding(slug="to-be-deleted", title="To be deleted")
    assert "To be deleted" in client.get("/findings/").content.decode()
    _read_during(lambda: Finding.objects.filter(pk=finding.pk).delete())
    assert "To be deleted" not in client.get("/findings/").content.decode()
    assert "to-be-deleted" not in client.get("/api/v1/findings/?limit=100").content.decode()


def test_a_link_change_is_seen_after_its_commit(world):
    client = Client()
    finding = Finding.objects.first()
    mission = finding.missions.get()
    url = f"/api/v1/findings/?mission={mission.acronym}"
    assert client.get(url).json()["count"] >= 1
    _read_during(lambda: finding.missions.remove(mission), urls=[*URLS, url])
    assert finding.slug not in client.get(url).content.decode()
