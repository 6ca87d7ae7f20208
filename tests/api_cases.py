"""Generic API and filter cases: a model's test declares its ``Case``; these classes do the rest.

``make_pair()`` builds two linked sets of records, A and B, that differ in every respect a
filter can see. A case lists, per filter, a value selecting only A and one selecting only B
(``None`` where no value can), so every filter is checked both including and excluding.
"""

import datetime
import io
from csv import DictReader
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from interfaces.models import Finding, IllicitActivity
from measures.models import MeasureApplication
from missions.models import Country, Mission
from ocpo.filters import ALL_SUFFIX, KeyFilter
from ocpo.middleware import DATA_VERSION_HEADER
from ocpo.rest import Pagination
from tests import factories as f
from tests.pages import first, grow

# Links made in tests are the paper's (sources.models.LinkBasis).
PAPER = {"basis": "paper"}

UNKNOWN = "no-such-key"
# When the pair's records were created and last changed: A never since, B later.
A_CHANGED = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
B_CHANGED = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


@dataclass
class Case:
    """What the generic cases need to know about one API resource."""

    basename: str  # router basename: api:<basename>-list / -detail
    key: str  # the natural key as the JSON carries it
    filters: dict  # filter name -> (value selecting only A, value selecting only B)
    filterset: type
    ordering: str  # a field the list can be sorted by
    payload: object  # pair -> a valid body for POST (a new record)
    invalid: dict = field(default_factory=dict)  # filter -> unreadable value (400)
    extra: list = field(default_factory=list)  # (filter, value, "a"|"b"|"ab")
    search: str = ""  # words found in A only
    lookup: object = None  # obj -> detail URL key (default: the natural key)

    def __post_init__(self):
        # Every FilterSet's base (ocpo.filters.KBFilterSet): B changed after A (make_pair).
        self.filters.setdefault("modified_since", (None, B_CHANGED.isoformat()))
        self.invalid.setdefault("modified_since", "yesterday")
        # Every list of sourced records (ocpo.filters.source_filter): A cites the paper,
        # B a second source (make_pair).
        if "source" in self.filterset.base_filters:
            self.filters.setdefault("source", ("paper", "report-b"))
            self.extra += [("source", "editors", "")]

    @property
    def every_filter(self):
        """``filters`` and each ``<name>__all`` twin of the FilterSet with its plain filter's
        values (A and B share no value, so together they select nothing under ``__all``)."""
        filters = dict(self.filters)
        for name, filter_ in self.filterset.base_filters.items():
            if getattr(filter_, "match_all", False):
                filters[name] = self.filters[name.removesuffix(ALL_SUFFIX)]
        return filters


def make_pair():
    """Records A (Liberia, UNMIL, interface 1) and B (Kosovo, EULEX, interface 2), linked.

    Annex examples reach their places by one path each: A through its mission only, B
    through its country only (so B's side of a mission filter matches nothing)."""
    # B's records cite a second source (A's the paper): the source filter tells them apart.
    source_a = f.make_source(slug="report-a", title="A report on diamonds")
    source_b = f.make_source(slug="report-b", title="B report on drugs")
    f.make_section(source_b, code="B")
    from_b = {"source": source_b.slug, "section": "B"}
    lbr = f.make_country(iso3="LBR", name="Liberia", region="West Africa")
    xkx = f.make_country(iso3="XKX", name="Kosovo", region="Europe")
    doc_a = f.make_document(
        slug="s-res-1509",
        symbol="S/RES/1509",
        title="Resolution 1509",
        date=datetime.date(2003, 9, 19),
        countries=[lbr],
    )
    doc_b = f.make_document(
        slug="smith-2010",
        kind="academic",
        symbol=None,
        title="Crime and peace in Kosovo",
        author="Smith",
        date=datetime.date(2010, 6, 1),
        countries=[xkx],
        **from_b,
    )
    unmil = f.make_mission(
        acronym="UNMIL",
        name="United Nations Mission in Liberia",
        countries=[lbr],
        start_date=datetime.date(2003, 10, 1),
        end_date=datetime.date(2018, 3, 30),
        establishing_document=doc_a,
    )
    eulex = f.make_mission(
        acronym="EULEX",
        name="EU Rule of Law Mission in Kosovo",
        kind="non_un",
        lead_organization="EU",
        countries=[xkx],
        start_date=datetime.date(2008, 12, 9),
        **from_b,
    )
    doc_a.missions.set([unmil], through_defaults=PAPER)
    doc_b.missions.set([eulex], through_defaults=PAPER)
    i1 = f.make_interface(number=1, slug="oc-fuels-conflict", title="OC fuels conflict")
    i2 = f.make_interface(number=2, slug="oc-undermines-security", title="OC undermines security")
    diamonds = f.make_activity(slug="diamond-smuggling", name="Diamond smuggling")
    drugs = f.make_activity(slug="drug-trafficking", name="Drug trafficking")
    finding_a = f.make_finding(
        slug="unmil-diamonds",
        title="Diamonds in Liberia",
        interface=i1,
        missions=[unmil],
        countries=[lbr],
        documents=[doc_a],
        activities=[diamonds],
    )
    finding_b = f.make_finding(
        slug="eulex-drugs",
        title="Drugs in Kosovo",
        interface=i2,
        missions=[eulex],
        countries=[xkx],
        documents=[doc_b],
        activities=[drugs],
        **from_b,
    )
    question_a = f.make_question(slug="question-a", text="Who smuggles diamonds?", interfaces=[i1])
    question_b = f.make_question(slug="question-b", text="Who sells drugs?", interfaces=[i2])
    area_a = f.make_area(slug="border-control", name="Border control")
    area_b = f.make_area(slug="justice", name="Justice")
    measure_a = f.make_measure(
        slug="control-ports", name="Control ports and airports", area=area_a, interfaces=[i1]
    )
    measure_b = f.make_measure(slug="vetting", name="Vetting", area=area_b, interfaces=[i2])
    # A names only a mission (its country is the mission's host), B only a country: a
    # filter that loses either path misses one of them.
    application_a = f.make_application(
        measure=measure_a, mission=unmil, country=None, label="Monrovia Freeport"
    )
    application_b = f.make_application(measure=measure_b, mission=None, country=xkx, **from_b)
    application_a.repeated_in.set([finding_a], through_defaults=PAPER)
    application_b.repeated_in.set([finding_b], through_defaults=PAPER)
    function_a = f.make_police_function(
        kind="core_function", name="Border security", measures=[measure_a]
    )
    function_b = f.make_police_function(
        kind="activity", name="Community policing", measures=[measure_b]
    )
    pair = {
        "source": (source_a, source_b),
        "country": (lbr, xkx),
        "document": (doc_a, doc_b),
        "mission": (unmil, eulex),
        "interface": (i1, i2),
        "activity": (diamonds, drugs),
        "finding": (finding_a, finding_b),
        "question": (question_a, question_b),
        "area": (area_a, area_b),
        "measure": (measure_a, measure_b),
        "application": (application_a, application_b),
        "police-function": (function_a, function_b),
    }
    # The sources the migrations create (the paper, the editors) are A's age: not changed since.
    type(source_a).objects.update(created=A_CHANGED, modified=A_CHANGED)
    for a, b in pair.values():
        type(a).objects.filter(pk=a.pk).update(created=A_CHANGED, modified=A_CHANGED)
        type(b).objects.filter(pk=b.pk).update(created=A_CHANGED, modified=B_CHANGED)
        a.refresh_from_db(fields=["created", "modified"])
        b.refresh_from_db(fields=["created", "modified"])
    return pair


def editor_for(model):
    """A user holding every model permission on ``model`` (and nothing else)."""
    user = User.objects.create_user(f"editor-{model._meta.model_name}", password="x")
    user.user_permissions.set(
        Permission.objects.filter(content_type=ContentType.objects.get_for_model(model))
    )
    return user


def list_url(case):
    return reverse(f"api:{case.basename}-list")


def detail_url(case, obj):
    value = case.lookup(obj) if case.lookup else getattr(obj, case.key)
    return reverse(f"api:{case.basename}-detail", args=[value])


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(DictReader(io.StringIO(text)))


def swap_case(value):
    return value.swapcase() if isinstance(value, str) else value


class FilterSetCases:
    """Each filter of the model's FilterSet, used directly as the portal's list pages use it."""

    case: Case

    @pytest.fixture
    def pair(self, db):
        return make_pair()

    def select(self, data, model):
        filterset = self.case.filterset(data, queryset=model.objects.all())
        assert filterset.is_valid(), filterset.errors
        return list(filterset.qs)

    def test_every_filter_has_a_case(self):
        assert set(self.case.filterset.base_filters) == set(self.case.every_filter)

    def test_every_filter_has_a_label_and_help_text(self):
        for name, filter_ in self.case.filterset.base_filters.items():
            assert filter_.label, name
            assert filter_.extra.get("help_text"), name

    def test_each_value_includes_its_side_and_excludes_the_other(self, pair):
        a, b = pair[self.case.basename]
        for name, (value_a, value_b) in self.case.every_filter.items():
            if value_a is not None:
                assert self.select({name: value_a}, type(a)) == [a], name
            if value_b is not None:
                assert self.select({name: value_b}, type(b)) == [b], name

    def test_key_filters_take_several_values_ignore_case_and_unknown_keys(self, pair):
        from django.http import QueryDict

        a, b = pair[self.case.basename]
        model = type(a)
        for name, (value_a, value_b) in self.case.every_filter.items():
            if not isinstance(self.case.filterset.base_filters[name], KeyFilter):
                continue
            if value_a is not None and value_b is not None:
                # Any of them: A and B; all of them: neither has both.
                both = set() if self.case.filterset.base_filters[name].match_all else {a, b}
                assert set(self.select({name: f"{value_a},{value_b}"}, model)) == both, name
                repeated = QueryDict(mutable=True)
                repeated.setlist(name, [value_a, value_b])
                assert set(self.select(repeated, model)) == both, name
            value = value_a if value_a is not None else value_b
            expected = [a] if value_a is not None else [b]
            assert self.select({name: swap_case(value)}, model) == expected, name
            if self.case.filterset.base_filters[name].exact:
                continue
            assert self.select({name: UNKNOWN}, model) == [], name

    def test_extra_values(self, pair):
        a, b = pair[self.case.basename]
        for name, value, side in self.case.extra:
            expected = {"a": {a}, "b": {b}, "ab": {a, b}, "": set()}[side]
            assert set(self.select({name: value}, type(a))) == expected, (name, value)

    def test_basis_paper_keeps_what_the_paper_states(self, pair):
        """The pair's links are all the paper's: with ``basis=paper`` each key filter whose
        every path has a paper counterpart selects the same, in every spelling (several
        values, other case, an interface by number)."""
        filters = self.case.filterset.base_filters
        if "basis" not in filters:
            return
        a, b = pair[self.case.basename]
        model = type(a)
        stated = {
            name
            for name, filter_ in filters.items()
            if isinstance(filter_, KeyFilter) and len(filter_.paper) == len(filter_.paths)
        }
        queries = []
        for name, (value_a, value_b) in self.case.filters.items():
            given = [v for v in (value_a, value_b) if v is not None]
            if name in stated and given:
                queries += [{name: v} for v in given] + [{name: swap_case(v)} for v in given]
                queries.append({name: ",".join(map(str, given))})
        queries += [{name: value} for name, value, _ in self.case.extra if name in stated]
        # Interfaces by number: the pair's are numbers 1 and 2.
        queries += [{name: "1,2"} for name in stated if filters[name].number_path]
        for query in queries:
            everything = set(self.select(query, model))
            assert set(self.select({**query, "basis": "paper"}, model)) == everything, query

    def test_basis_paper_leaves_out_the_records_the_editors_added(self, pair):
        filters = self.case.filterset.base_filters
        a, b = pair[self.case.basename]
        model = type(a)
        if "basis" not in filters or not hasattr(b, "source"):
            return
        model.objects.filter(pk=b.pk).update(source="editors", editorial_note="Inferred.")
        assert set(self.select({}, model)) >= {a, b}
        assert set(self.select({"basis": ""}, model)) >= {a, b}
        paper = set(self.select({"basis": "paper"}, model))
        assert a in paper and b not in paper

    def test_several_values_in_a_list_as_code_passes_them(self, pair):
        """A FilterSet built from a plain dict (code, not a request) reads a list of values."""
        a, b = pair[self.case.basename]
        for name, (value_a, value_b) in self.case.filters.items():
            several = isinstance(self.case.filterset.base_filters[name], KeyFilter)
            if several and value_a is not None and value_b is not None:
                assert set(self.select({name: [value_a, value_b]}, type(a))) == {a, b}, name

    def test_invalid_values_are_form_errors(self, pair):
        a, _ = pair[self.case.basename]
        for name, value in self.case.invalid.items():
            filterset = self.case.filterset({name: value}, queryset=type(a).objects.all())
            assert not filterset.is_valid()
            assert name in filterset.errors

    def test_rows_are_distinct_across_many_links(self, db):
        """A record reached through several links is listed once. Every key along each
        filter's paths at once, in a world where records have many links, so that a join
        without the subquery would repeat rows (and the world is checked to have them)."""
        grow(3)  # the first mission, country, document, activity linked to every finding...
        first(Mission).countries.set(Country.objects.all())  # ...and the other way round
        f.make_activity()
        first(Finding).activities.set(IllicitActivity.objects.all(), through_defaults=PAPER)
        first(MeasureApplication).repeated_in.set(Finding.objects.all(), through_defaults=PAPER)
        model = self.case.filterset._meta.model
        many, repeated = set(), set()
        for name, filter_ in self.case.filterset.base_filters.items():
            if not isinstance(filter_, KeyFilter):
                continue
            reached = (model.objects.values_list(path, flat=True) for path in filter_.paths)
            values = sorted({str(v) for column in reached for v in column} - {"None"})
            rows = self.select({name: ",".join(values)}, model)
            assert len(rows) == len(set(rows)), name
            if "basis" in self.case.filterset.base_filters:  # through the link rows
                paper = self.select({name: ",".join(values), "basis": "paper"}, model)
                assert len(paper) == len(set(paper)), (name, "basis=paper")
            if any(_crosses_many(model, path) for path in filter_.paths):
                many.add(name)
                if model.objects.filter(filter_.condition(values)).count() > len(rows):
                    repeated.add(name)
        assert repeated == many, f"no record reached twice through {many - repeated}"


class APICases:
    """List, detail, filters, ordering, pagination, CSV and errors for one resource."""

    case: Case

    @pytest.fixture
    def pair(self, db):
        return make_pair()

    @pytest.fixture
    def client(self):
        return APIClient()

    def get(self, client, params=None, **extra):
        return client.get(list_url(self.case), params or {}, **extra)

    def keys(self, response):
        assert response.status_code == 200, response.content[:500]
        return {row[self.case.key] for row in response.json()["results"]}

    def test_list(self, client, pair):
        response = self.get(client)
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        a, b = pair[self.case.basename]
        assert self.keys(response) >= {getattr(a, self.case.key), getattr(b, self.case.key)}
        row = body["results"][0]
        assert row["url"].startswith("http://testserver/api/v1/")
        assert row["html_url"].startswith("http://testserver/")
        assert response[DATA_VERSION_HEADER]

    def test_detail(self, client, pair):
        a, _ = pair[self.case.basename]
        response = client.get(detail_url(self.case, a))
        assert response.status_code == 200
        body = response.json()
        assert body[self.case.key] == getattr(a, self.case.key)
        assert body["url"] == f"http://testserver{detail_url(self.case, a)}"
        assert body["html_url"] == f"http://testserver{a.get_absolute_url()}"

    def test_detail_of_an_unknown_key_is_404(self, client, pair):
        url = reverse(
            f"api:{self.case.basename}-detail",
            args=["9999999" if self.case.key == "id" else UNKNOWN],
        )
        assert client.get(url).status_code == 404

    def test_each_filter_includes_and_excludes(self, client, pair):
        a, b = (getattr(obj, self.case.key) for obj in pair[self.case.basename])
        for name, (value_a, value_b) in self.case.every_filter.items():
            if value_a is None and value_b is None:
                continue  # a filter that splits no pair (basis): tested on its own
            if value_a is not None:
                assert self.keys(self.get(client, {name: value_a})) == {a}, name
            if value_b is not None:
                assert self.keys(self.get(client, {name: value_b})) == {b}, name
            filter_ = self.case.filterset.base_filters[name]
            if isinstance(filter_, KeyFilter) and value_a is not None and value_b is not None:
                both = self.keys(self.get(client, {name: [value_a, value_b]}))
                expected_both = set() if filter_.match_all else {a, b}
                assert both == self.keys(self.get(client, {name: f"{value_a},{value_b}"})), name
                assert both == expected_both, name
            value = value_a if value_a is not None else value_b
            expected = {a} if value_a is not None else {b}
            assert self.keys(self.get(client, {name: swap_case(value)})) == expected, name

    def test_unknown_keys_give_an_empty_list(self, client, pair):
        for name, filter_ in self.case.filterset.base_filters.items():
            if isinstance(filter_, KeyFilter) and not filter_.exact:
                response = self.get(client, {name: UNKNOWN})
                assert response.status_code == 200
                assert response.json() == {
                    "count": 0,
                    "next": None,
                    "previous": None,
                    "results": [],
                }, name

    def test_invalid_values_are_400_naming_the_field(self, client, pair):
        for name, value in self.case.invalid.items():
            response = self.get(client, {name: value})
            assert response.status_code == 400, name
            assert name in problem_errors(response)
            csv_response = self.get(client, {name: value, "format": "csv"})
            assert csv_response.status_code == 400
            assert name in problem_errors(csv_response)

    def test_ordering(self, client, pair):
        """Ascending and descending each match the database's order by the field (an order
        swapped both ways, or ignored, fails): the pair differ in the field."""
        field_ = self.case.ordering
        model = type(pair[self.case.basename][0])
        up = [r[self.case.key] for r in self.get(client, {"ordering": field_}).json()["results"]]
        down = [
            r[self.case.key] for r in self.get(client, {"ordering": f"-{field_}"}).json()["results"]
        ]
        key = "pk" if self.case.key == "id" else self.case.key
        expected = list(model.objects.order_by(field_, "pk").values_list(key, flat=True))
        assert len(set(model.objects.values_list(field_, flat=True))) >= 2, field_
        assert up == expected
        assert down == list(model.objects.order_by(f"-{field_}", "-pk").values_list(key, flat=True))
        assert up != down

    def test_search(self, client, pair):
        a, _ = pair[self.case.basename]
        words = self.case.search
        assert self.keys(self.get(client, {"search": words})) == {getattr(a, self.case.key)}
        assert self.get(client, {"search": "zzzqqq"}).json()["count"] == 0
        assert self.get(client, {"search": ""}).json()["count"] >= 2

    def test_limit_is_capped(self, client, pair, monkeypatch):
        """A limit over the cap is cut to the cap, not refused (the cap lowered to 1 so
        that two rows show it; tests/test_api.py checks the real 500 with 510 rows)."""
        monkeypatch.setattr(Pagination, "max_limit", 1)
        response = self.get(client, {"limit": 100000})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] >= 2
        assert len(body["results"]) == 1
        assert "limit=1" in body["next"]

    def test_csv_has_every_row_and_the_json_columns(self, client, pair):
        body = self.get(client, {"limit": 1}).json()
        for params, extra in (({"format": "csv"}, {}), ({}, {"HTTP_ACCEPT": "text/csv"})):
            response = self.get(client, {**params, "limit": 1}, **extra)
            assert response[DATA_VERSION_HEADER]
            rows = read_csv(response)
            assert len(rows) == body["count"]
            assert list(rows[0]) == list(body["results"][0])

    def test_csv_follows_the_filters(self, client, pair):
        name, (value_a, value_b) = next(iter(self.case.every_filter.items()))
        value = value_a if value_a is not None else value_b
        json_count = self.get(client, {name: value}).json()["count"]
        assert len(read_csv(self.get(client, {name: value, "format": "csv"}))) == json_count

    def test_detail_has_no_csv(self, client, pair):
        a, _ = pair[self.case.basename]
        response = client.get(detail_url(self.case, a), {"format": "csv"})
        assert response.status_code == 406
        assert "format" in problem_errors(response)

    def test_writes_with_unknown_keys_are_400(self, client, pair):
        a, _ = pair[self.case.basename]
        client.force_authenticate(editor_for(type(a)))
        payload = self.case.payload(pair)
        relations = [
            name
            for name, value in payload.items()
            if isinstance(value, list) or name in RELATION_FIELDS
        ]
        for name in relations:
            bad = [UNKNOWN] if isinstance(payload[name], list) else UNKNOWN
            response = client.post(list_url(self.case), {**payload, name: bad}, format="json")
            assert response.status_code == 400, name
            assert name in problem_errors(response), name


def _crosses_many(model, path):
    """Whether ``path`` from ``model`` crosses a to-many relation (a join may repeat rows)."""
    for name in path.split("__")[:-1]:
        field_ = model._meta.get_field(name)
        if field_.many_to_many or field_.one_to_many:
            return True
        model = field_.related_model
    return False


def problem_errors(response):
    """An error answer's RFC 9457 problem, as ``{name: [messages]}`` plus its ``detail``."""
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    body = response.json()
    assert body["status"] == response.status_code, body
    assert body["type"] and body["title"] and body["detail"], body
    errors = {"detail": body["detail"]}
    for error in body.get("errors", []):
        errors.setdefault(error["name"], []).append(error["detail"])
    return errors


RELATION_FIELDS = {"interface", "area", "measure", "mission", "country", "establishing_document"}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(context.captured_queries)
