"""Redis down, full or evicting: ocpo keeps answering, writes work, nothing stale after.

Each test runs its own redis-server (tests/redis_server.py), killed or reconfigured in the
middle of the test; the shared Redis is never touched.
"""

import logging

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from ocpo.editors import EDITORS_GROUP
from tests.factories import make_world
from tests.redis_server import wait_past_retry

pytestmark = pytest.mark.django_db

READS = ["/", "/findings/", "/api/v1/findings/", "/api/v1/questions/", "/matrix/"]


@pytest.fixture
def world(settings):
    settings.OCPO_ANONYMOUS_CACHE = True
    settings.OCPO_API_ANON_RATE = "3/day"
    settings.OCPO_PAGE_ANON_RATE = "3/day"
    make_world(1)


@pytest.fixture
def editor_api(db):
    user = User.objects.create_user("outage-editor")
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client = APIClient()
    client.force_authenticate(user)
    return client


def _create_question(editor_api, capture, number):
    with capture(execute=True):
        response = editor_api.post(
            "/api/v1/questions/",
            {"number": number, "slug": f"question-during-{number}", "text": f"Asked {number}?"},
            format="json",
        )
    assert response.status_code == 201, response.content
    return f"question-during-{number}"


def test_reads_and_writes_keep_working_when_redis_is_killed(
    own_redis, world, client, editor_api, django_capture_on_commit_callbacks, caplog
):
    for url in READS:
        assert client.get(url).status_code == 200  # cached, and counted against the rates
    own_redis.kill()
    caplog.set_level(logging.WARNING, logger="ocpo.cache")
    # Reads keep working, and the rate limits fail open (3 a day, and these are many more).
    statuses = [client.get(url).status_code for url in READS for _ in range(3)]
    assert statuses == [200] * len(statuses)
    ready = client.get("/healthz/ready")
    assert ready.status_code == 200
    assert ready.json()["cache"] == "unavailable"
    assert ready.json()["status"] == "degraded"
    assert client.get("/healthz/live").status_code == 200
    slug = _create_question(editor_api, django_capture_on_commit_callbacks, 901)
    assert slug in client.get("/api/v1/questions/").content.decode()
    outage_logs = [r for r in caplog.records if "shared cache unavailable" in r.getMessage()]
    assert len(outage_logs) == 1  # one line per outage, not one per request

    own_redis.start()  # back, empty
    wait_past_retry()
    assert client.get("/healthz/ready").json()["cache"] == "ok"
    assert slug in client.get("/api/v1/questions/").content.decode()


@pytest.fixture
def full_redis(own_redis):
    own_redis.client().config_set("maxmemory-policy", "noeviction")
    return own_redis


def test_a_full_redis_refusing_writes_leaves_pages_200_and_nothing_stale(
    full_redis, world, client, editor_api, django_capture_on_commit_callbacks
):
    before = client.get("/api/v1/questions/").content  # cached
    full_redis.client().config_set("maxmemory", 1)  # every write to Redis is refused (OOM)
    statuses = [client.get(url).status_code for url in READS for _ in range(3)]
    assert statuses == [200] * len(statuses)
    # The write's bump of the data state is refused too...
    slug = _create_question(editor_api, django_capture_on_commit_callbacks, 902)
    assert slug in client.get("/api/v1/questions/").content.decode()
    # ...so when Redis accepts writes again the answer cached before must not come back.
    full_redis.client().config_set("maxmemory", 0)
    wait_past_retry()
    after = client.get("/api/v1/questions/")
    assert after.content != before
    assert slug in after.content.decode()


def test_an_evicting_redis_stays_within_its_limit_and_keeps_answering(
    own_redis, world, client, settings
):
    settings.OCPO_PAGE_ANON_RATE = None
    settings.OCPO_CACHE_FILL_RATE = None
    """The shipped deploy/redis.conf, with a smaller limit: Redis evicts, ocpo answers."""
    redis = own_redis.client()
    limit = redis.info("memory")["used_memory"] + 256 * 1024
    redis.config_set("maxmemory", limit)
    statuses = [client.get(f"/findings/?activity=x{n}").status_code for n in range(60)]
    assert statuses == [200] * 60
    memory, stats = redis.info("memory"), redis.info("stats")
    assert stats["evicted_keys"] > 0
    # Redis evicts before each command, which may then add a little (a token, a reply).
    assert memory["used_memory"] <= limit + 4096
    assert client.get("/findings/").status_code == 200
