"""Anonymous answers carry an ETag, revalidate with 304 and are cached until data changes."""

import logging

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from interfaces.models import Finding
from ocpo.datastate import data_state
from tests.factories import make_finding, make_question, make_world

pytestmark = pytest.mark.django_db

URLS = ["/", "/findings/", "/api/v1/findings/", "/api/v1/missions/?format=json", "detail"]


@pytest.fixture
def world(settings):
    settings.OCPO_ANONYMOUS_CACHE = True
    make_world(2)


@pytest.mark.parametrize("url", URLS)
def test_revalidation_answers_304_without_queries(client, world, url):
    if url == "detail":  # an API detail keeps its record ETag (for If-Match), and still 304s
        url = f"/api/v1/findings/{Finding.objects.first().slug}/"
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert len(queries) == 0


def test_a_repeated_request_is_served_from_the_cache(client, world):
    client.get("/findings/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/findings/")
    assert response.status_code == 200
    assert len(queries) == 0
    assert "Content-Security-Policy" in response.headers
    assert "X-OCPO-Data-Version" in response.headers


def test_any_change_makes_cached_answers_and_etags_stale(
    client, world, django_capture_on_commit_callbacks
):
    first = client.get("/api/v1/findings/")
    with django_capture_on_commit_callbacks(execute=True):
        make_finding(title="A finding added after the first read")
    again = client.get("/api/v1/findings/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 200
    assert again.json()["count"] == first.json()["count"] + 1
    assert again.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("url", ["/findings/{}/", "/api/v1/findings/{}/"])
def test_a_link_change_makes_cached_answers_stale(
    client, world, django_capture_on_commit_callbacks, url
):
    """Only a many-to-many change happens here: no save or delete signal bumps the state."""
    finding = Finding.objects.first()
    mission = finding.missions.get()
    url = url.format(finding.slug)
    before = client.get(url)
    assert mission.acronym in before.content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).content == before.content
    assert len(queries) == 0  # served from the cache: what the link change must make stale
    with django_capture_on_commit_callbacks(execute=True):
        finding.missions.remove(mission)
    after = client.get(url)
    assert after.status_code == 200
    assert mission.acronym not in after.content.decode()


def test_the_state_changes_only_once_the_write_commits(
    client, world, django_capture_on_commit_callbacks
):
    """Bumped before the commit, a concurrent reader caches the old data under the new
    token (tests/test_read_after_write.py shows it with real transactions)."""
    client.get("/api/v1/findings/")
    state = data_state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_finding(title="Not committed yet")
        assert data_state() == state
    assert callbacks
    for callback in callbacks:
        callback()
    assert data_state() not in (state, None)


def test_a_rolled_back_write_leaves_the_state_alone(client, world):
    state = data_state()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_finding(title="Rolled back")
        raise RuntimeError
    assert data_state() == state


def test_bulk_generation_makes_cached_answers_stale(
    client, world, django_capture_on_commit_callbacks
):
    before = client.get("/api/v1/findings/").json()["count"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("generate_scale_data", factor=1, verbosity=0)
    assert client.get("/api/v1/findings/").json()["count"] > before


def test_json_and_csv_of_one_url_are_cached_apart(client, world):
    json_response = client.get("/api/v1/findings/")
    csv_response = client.get("/api/v1/findings/", HTTP_ACCEPT="text/csv")
    assert json_response.headers["Content-Type"].startswith("application/json")
    assert csv_response.headers["Content-Type"].startswith("text/csv")


def test_logged_in_users_are_never_served_from_the_cache(client, world):
    client.get("/findings/")
    client.force_login(User.objects.create_user("reader"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/findings/")
    assert response.status_code == 200
    assert len(queries) > 0


# ---------------------------------------------------------------- host, canonical URLs, budget


def test_the_cache_key_includes_the_host(client, world):
    """One request with a made-up port must not hand its links to every other reader."""
    poisoned = client.get("/api/v1/findings/", HTTP_HOST="testserver:6666")
    assert "http://testserver:6666/" in poisoned.content.decode()
    response = client.get("/api/v1/findings/")
    assert "testserver:6666" not in response.content.decode()
    assert "http://testserver/api/v1/findings/" in response.content.decode()


def test_a_host_not_allowed_is_refused_before_the_cache_answers(client, world):
    assert client.get("/findings/").status_code == 200  # now cached
    assert client.get("/findings/", HTTP_HOST="evil.example").status_code == 400


def _cached(client, url, **extra):
    """Whether a second request for ``url`` is answered without running the view."""
    assert client.get(url, **extra).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **extra).status_code == 200
    return len(queries) == 0


def test_urls_with_parameters_the_page_does_not_know_are_not_cached(client, world):
    assert _cached(client, "/findings/?interface=interface-1")
    assert not _cached(client, "/findings/?x=1")
    assert not _cached(client, "/?utm_source=")  # a blank value is a parameter too
    assert not _cached(client, "/?utm_source=mail")
    assert _cached(client, "/search/?q=finding")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/findings/?interface=interface-1",  # the FilterSet's
        "/api/v1/findings/?limit=1",  # the paginator's
        "/api/v1/findings/?offset=1",
        "/api/v1/findings/?ordering=-slug",  # the filter backends'
        "/api/v1/findings/?search=finding",
        "/api/v1/findings/?facets=mission,country",  # the facets' (one query each)
        "/api/v1/findings/?mission__all=UNMIL",  # an "all of" filter
        "/api/v1/findings/?format=json",
        "/findings/?page=1",  # a list page's
        "/findings/?mission=UNMIL",
        "/compare/?missions=UNMIL",  # declared by a function view
        "/search/?q=finding",
        "/api/v1/findings/?modified_since=2020-01-01T00:00:00Z",  # every FilterSet's base
        "/api/v1/changes/?since=2020-01-01T00:00:00Z&limit=5",  # the changes feed
        "/changes.atom?since=2020-01-01T00:00:00Z",
    ],
)
def test_every_parameter_a_view_reads_is_cached(client, world, url):
    """A page asked with the parameters it understands is kept; with one it does not know,
    not (made-up parameters would fill the cache; the API refuses them with a 400)."""
    assert _cached(client, url)
    if not url.startswith("/api/"):
        assert not _cached(client, url + "&made-up=1")


def test_a_detail_answer_takes_no_list_parameters_into_the_cache(client, world):
    slug = Finding.objects.first().slug
    assert _cached(client, f"/api/v1/findings/{slug}/")
    assert _cached(client, f"/api/v1/findings/{slug}/?format=json")
    assert not _cached(client, f"/findings/{slug}/?page=2")


def test_parameters_in_another_order_share_one_entry(client, world):
    client.get("/api/v1/findings/?interface=interface-1&limit=5")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/findings/?limit=5&interface=interface-1")
    assert response.status_code == 200
    assert len(queries) == 0


def test_big_answers_are_not_cached(client, world, settings):
    settings.OCPO_ANONYMOUS_CACHE = False
    small = len(client.get("/api/v1/findings/?limit=1").content)
    assert len(client.get("/api/v1/findings/?limit=500").content) > small
    settings.OCPO_ANONYMOUS_CACHE = True
    settings.OCPO_CACHE_MAX_BYTES = small
    assert _cached(client, "/api/v1/findings/?limit=1")
    assert not _cached(client, "/api/v1/findings/?limit=500")


def test_one_client_fills_the_cache_only_up_to_its_budget(client, world, settings):
    settings.OCPO_CACHE_FILL_RATE = "2/day"  # fixed windows: a minute's edge would reset it
    assert _cached(client, "/findings/?page=1")
    assert _cached(client, "/findings/?interface=interface-1")
    assert not _cached(client, "/findings/?interface=interface-2")  # over budget: not kept
    assert _cached(client, "/findings/?page=1")  # what was kept is still served
    assert _cached(client, "/findings/?interface=interface-2", REMOTE_ADDR="192.0.2.9")


def test_the_health_check_is_never_answered_from_the_cache(client, world):
    for url in ("/healthz", "/healthz/ready"):
        assert not _cached(client, url)
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert len(queries) == 1  # the database is asked every time


def test_a_cached_answer_costs_its_own_size_in_the_cache(client, world):
    """The cache holds what was sent (status, headers, bytes), not the response object:
    pickling a DRF response kept its data beside its content (twice the memory) and failed
    when other threads served requests meanwhile, turning a good answer into a 500."""
    cache.clear()
    response = client.get("/api/v1/findings/?limit=100")
    assert response.status_code == 200
    stored = [value for key, value in cache._cache.items() if ":ocpo:page:" in key]
    assert len(stored) == 1
    assert len(stored[0]) < len(response.content) * 1.1 + 2048
    again = client.get("/api/v1/findings/?limit=100")
    assert again.content == response.content
    assert again.headers.items() >= {("Content-Type", response.headers["Content-Type"])}
    assert again.headers["ETag"] == response.headers["ETag"]


def test_a_shared_cache_is_told_that_answers_vary_with_accept(client, world):
    """One URL answers JSON or CSV by the Accept header: a proxy must key on it too, also
    for the copy served from ocpo's own cache."""
    for _ in range(2):
        response = client.get("/api/v1/findings/")
        assert "Accept" in [v.strip() for v in response.headers["Vary"].split(",")]


def test_a_request_with_credentials_is_never_answered_from_the_cache(client, world):
    """An API client sending a token gets its own answer, marked private, not the copy
    kept for anonymous readers."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=User.objects.create_user("token-reader"))
    assert _cached(client, "/api/v1/findings/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/findings/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert len(queries) > 0
    assert "private" in response.headers["Cache-Control"]


# ------------------------------------------- what a write makes stale (ocpo.datastate tables)


def test_a_write_leaves_answers_made_from_other_tables_cached(
    client, world, django_capture_on_commit_callbacks
):
    """An editor adding a question empties the answers that read questions, not every one:
    under a steady trickle of edits most readers are still served from the cache."""
    missions, questions = "/api/v1/missions/", "/api/v1/questions/"
    assert _cached(client, missions)
    assert _cached(client, questions)
    first = client.get(missions)
    with django_capture_on_commit_callbacks(execute=True):
        make_question(text="Asked after the first read?")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(missions, HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 304  # still current: no question shows on it
    assert len(queries) == 0
    assert "Asked after the first read?" in client.get(questions).content.decode()


@pytest.mark.parametrize(
    "write",
    [
        lambda finding: Finding.objects.filter(pk=finding.pk).update(title="Quietly renamed"),
        lambda finding: connection.cursor().execute(
            """
            UPDATE "interfaces_finding" SET "title" = %s WHERE "id" = %s
            """,
            ["Quietly renamed", finding.pk],
        ),
    ],
    ids=["queryset-update", "raw-sql"],
)
def test_a_write_no_signal_reports_makes_answers_stale(
    client, world, django_capture_on_commit_callbacks, write
):
    finding = Finding.objects.first()
    url = f"/findings/{finding.slug}/"
    assert _cached(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        write(finding)
    assert "Quietly renamed" in client.get(url).content.decode()


def test_a_write_committed_while_an_answer_is_made_leaves_it_stale(client, world):
    """The tokens are taken before the view's first query: an answer made from data a
    write replaced meanwhile is stored under the old token, and not served again."""
    from ocpo.datastate import bump_tables

    def another_process_writes(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if '"interfaces_finding"' in sql:
            bump_tables({"interfaces_finding"})  # committed by another process, mid-answer
        return result

    with connection.execute_wrapper(another_process_writes):
        assert client.get("/findings/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/findings/").status_code == 200
    assert len(queries) > 0  # made again, not served from before the write


def test_an_answer_built_from_kept_memos_follows_the_memos_tables(
    client, world, settings, django_capture_on_commit_callbacks
):
    """A page served memos another request computed ran no query on the links they
    count: it must still go stale when one of those links changes."""
    settings.OCPO_AGGREGATE_CACHE = True
    finding = Finding.objects.filter(missions__isnull=False).first()
    mission = finding.missions.first()
    settings.OCPO_ANONYMOUS_CACHE = False
    assert client.get("/matrix/").status_code == 200  # computes and keeps the memos
    settings.OCPO_ANONYMOUS_CACHE = True
    assert _cached(client, "/matrix/")  # made from the kept memos, then kept itself
    before = client.get("/matrix/").content
    with django_capture_on_commit_callbacks(execute=True):
        finding.missions.remove(mission)
    after = client.get("/matrix/")
    assert after.status_code == 200
    assert after.content != before


def test_a_bulk_change_makes_every_answer_stale(client, world):
    from ocpo.datastate import bump_data_state

    assert _cached(client, "/api/v1/missions/")
    bump_data_state()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/missions/").status_code == 200
    assert len(queries) > 0


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT 1 FROM "interfaces_finding" WHERE "id" = 1', {"interfaces_finding"}),
        # A link table is itself, not the table its name begins with.
        ('SELECT 1 FROM "interfaces_findingmission"', {"interfaces_findingmission"}),
        # SQLite's search table is fed by triggers on its record table.
        ('SELECT rowid FROM "interfaces_finding_fts" WHERE x MATCH 1', {"interfaces_finding"}),
        ("SELECT 1 FROM interfaces_finding_x", set()),
    ],
)
def test_the_tables_a_statement_names(sql, tables):
    from ocpo.datastate import tables_in

    assert tables_in(sql) == tables


def test_two_answers_made_from_the_same_tables_have_their_own_etags(client, world):
    """An ETag names one answer: a client revalidating one page must not be told that
    another, made from the same tables, is what it holds."""
    first = client.get("/api/v1/findings/?limit=1")
    second = client.get("/api/v1/findings/?limit=2")
    assert first.headers["ETag"] != second.headers["ETag"]
    again = client.get("/api/v1/findings/?limit=2", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("method", "doing"), [("get", "reading a cached page"), ("set", "storing a page")]
)
def test_a_page_the_cache_refuses_is_served_and_the_failure_logged(
    client, world, monkeypatch, caplog, method, doing
):
    from redis.exceptions import RedisError

    from ocpo import datastate, middleware

    real = middleware.cache

    class Refusing:
        def __getattr__(self, name):
            attribute = getattr(real, name)
            if name != method:
                return attribute

            def call(key, *args, **kwargs):
                if key.startswith("ocpo:page:"):
                    raise RedisError("connection refused")
                return attribute(key, *args, **kwargs)

            return call

    monkeypatch.setattr(middleware, "cache", Refusing())
    monkeypatch.setattr(datastate._CacheHealth, "failing", False)
    monkeypatch.setattr(datastate._CacheHealth, "down_until", 0.0)
    with caplog.at_level(logging.WARNING, logger="ocpo.cache"):
        assert client.get("/findings/").status_code == 200
    assert caplog.messages == [
        f"shared cache unavailable while {doing} (connection refused); serving without it"
    ]


def _as_if_from_the_replica(execute, sql, params, many, context):
    """Marks the answer being made as read from a replica (tests run on one database)."""
    from ocpo.datastate import _tables_read

    reading = _tables_read.get()
    if reading is not None:
        reading.from_replica = True
    return execute(sql, params, many, context)


def test_an_answer_read_from_a_replica_just_after_a_write_is_served_not_kept(
    client, world, monkeypatch, settings
):
    """The replica may not have applied a write yet for OCPO_REPLICA_MAX_LAG seconds:
    kept under the write's new token, its old rows would be served until the next write."""
    from ocpo import datastate

    url = "/api/v1/missions/"
    datastate.bump_tables({"missions_mission"})  # a write, just committed
    with connection.execute_wrapper(_as_if_from_the_replica):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200  # from the primary: kept
    assert len(queries) > 0
    assert _cached(client, url)
    # Past the replica's allowed lag (and its probe interval), a replica's answer is kept.
    later = datastate.time.time() + settings.OCPO_REPLICA_MAX_LAG + 1.5
    monkeypatch.setattr(datastate.time, "time", lambda: later)
    datastate.bump_data_state()  # every answer stale: made again below
    monkeypatch.setattr(datastate.time, "time", lambda: later + settings.OCPO_REPLICA_MAX_LAG + 1.5)
    with connection.execute_wrapper(_as_if_from_the_replica):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 0


def test_a_memo_computed_on_a_replica_just_after_a_write_is_not_kept(world, settings):
    from ocpo import datastate

    settings.OCPO_AGGREGATE_CACHE = True
    datastate.bump_data_state()
    calls = []

    def compute():
        calls.append(1)
        return len(Finding.objects.all())

    with connection.execute_wrapper(_as_if_from_the_replica):
        datastate.memoized("count", compute)
    datastate.memoized("count", compute)  # computed again (on the primary), then kept
    datastate.memoized("count", compute)
    assert len(calls) == 2
