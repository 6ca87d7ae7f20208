"""Facet counts (ocpo/facets.py) checked against the lists they count, and ``__all`` filters.

A facet value's count must be the size of the list with that value as the facet's filter,
the other filters unchanged (Datasette's semantics, counted under the other filters); a
value the facet leaves out must give an empty list. Checked for every list page's
FilterSet, alone and under each of its filters and ``basis=paper``, on the database in use
(run it with DATABASE_URL for PostgreSQL), and through the API's URLs.
"""

import re
from html import unescape

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from interfaces.models import Finding, Interface
from measures.filters import MeasureFilterSet
from measures.models import Measure
from missions.models import Country
from ocpo.facets import _one_pair_each, facet_counts, facet_names
from ocpo.filters import ALL_SUFFIX, KeyFilter
from tests.factories import make_application, make_country, make_measure, make_mission
from tests.filter_spellings import _candidates, list_pages, spellings

pytestmark = pytest.mark.django_db

PAGES = list_pages()


def count(view, data):
    filterset = view.filterset_class(data, queryset=view.queryset)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def wrong_counts(view, query):
    """Each facet value whose count is not the list's count with that value applied."""
    data = QueryDict(query)
    filterset = view.filterset_class(data, queryset=view.queryset)
    assert filterset.is_valid(), (query, filterset.errors)
    model = view.filterset_class._meta.model
    names = facet_names(view.filterset_class)
    problems = []
    for name, facet in facet_counts(filterset, names, size=1000).items():
        assert facet.other_values == 0
        filter_ = view.filterset_class.base_filters[name]
        keys = isinstance(filter_, KeyFilter)  # a key facet lists only keys that give some
        listed = set()
        for value in facet.values:
            applied = data.copy()
            applied.setlist(name, [str(value.value)])
            expected = count(view, applied)
            listed.add(str(value.value).casefold())
            if value.count != expected or (keys and expected == 0):
                problems.append(f"?{query} {name}={value.value}: {value.count}, list {expected}")
        if not keys:
            continue
        for candidate in dict.fromkeys(_candidates(filter_, model)):
            if candidate.casefold() in listed:
                continue
            applied = data.copy()
            applied.setlist(name, [candidate])
            if count(view, applied):
                problems.append(f"?{query} {name}={candidate}: left out, but the list has some")
    return problems


@pytest.mark.parametrize("path, view", PAGES, ids=[path for path, _ in PAGES])
def test_each_count_is_the_list_with_that_value_under_the_other_filters(kb, path, view):
    queries = [""]
    for name, spelled in spellings(view).items():
        queries.append(spelled[-1])  # two values where the filter takes several
        if name in ("interface", "mission") and "basis" in view.filterset_class.base_filters:
            queries.append(f"{spelled[0]}&basis=paper")  # counts along the paper's links
    problems = [problem for query in queries for problem in wrong_counts(view, query)]
    assert problems == [], "\n".join(problems)


def test_a_facet_ignores_its_own_filter_and_keeps_the_others(kb):
    view = dict(PAGES)["/findings/"]
    alone = facet_counts(view.filterset_class(QueryDict(""), queryset=view.queryset), ["country"])
    mine = view.filterset_class(QueryDict("country=HTI"), queryset=view.queryset)
    assert mine.is_valid()
    # Its own filter left out: every country still counted, as with no filter.
    assert facet_counts(mine, ["country"])["country"].counts() == alone["country"].counts()
    narrowed = view.filterset_class(QueryDict("interface=2"), queryset=view.queryset)
    assert narrowed.is_valid()
    under = facet_counts(narrowed, ["country"])["country"].counts()
    assert under != alone["country"].counts()
    assert under["HTI"] == count(view, QueryDict("interface=2&country=HTI"))


def test_a_facet_lists_its_top_values_and_counts_the_rest(kb):
    view = dict(PAGES)["/findings/"]
    filterset = view.filterset_class(QueryDict(""), queryset=view.queryset)
    everything = facet_counts(filterset, ["document"], size=1000)["document"]
    top = facet_counts(filterset, ["document"], size=5)["document"]
    assert len(everything.values) > 5
    assert top.values == everything.values[:5]
    assert top.other_values == len(everything.values) - 5
    counts = [value.count for value in everything.values]
    assert counts == sorted(counts, reverse=True)


def test_a_record_reaching_a_key_several_ways_counts_once_and_ties_go_by_key(db):
    """Counted by the keys' records (``_keyed_by_record``): a measure reaching a country
    through its application and through its mission's host country, and through two
    applications, is one measure; equal counts are listed in the keys' order, as before."""
    # Created out of the keys' order, so that an order by primary key would show.
    zzz, mmm, aaa = (make_country(iso3=iso3, name=f"Land {iso3}") for iso3 in ("ZZZ", "MMM", "AAA"))
    hosted = make_mission(acronym="HOSTED", countries=[zzz])
    measure = make_measure()
    make_application(measure=measure, mission=hosted, country=zzz)
    make_application(measure=measure, country=zzz)
    make_application(measure=measure, country=aaa, country_basis="editors", country_reason="Test.")
    other = make_measure()
    make_application(measure=other, country=mmm)
    make_application(measure=other, country=zzz)
    facet = facet_counts(MeasureFilterSet(QueryDict("")), ["country"])["country"]
    assert [(v.value, v.label, v.count) for v in facet.values] == [
        ("ZZZ", "Land ZZZ", 2),
        ("AAA", "Land AAA", 1),
        ("MMM", "Land MMM", 1),
    ]
    assert facet.other_values == 0
    top = facet_counts(MeasureFilterSet(QueryDict("")), ["country"], size=2)["country"]
    assert [v.value for v in top.values] == ["ZZZ", "AAA"] and top.other_values == 1
    # Under a filter (a subquery of the records), and along the paper's links only.
    narrowed = MeasureFilterSet(QueryDict("mission=HOSTED"))
    assert facet_counts(narrowed, ["country"])["country"].counts() == {"ZZZ": 1, "AAA": 1}
    paper = MeasureFilterSet(QueryDict("basis=paper"))
    assert facet_counts(paper, ["country"])["country"].counts() == {"ZZZ": 2, "MMM": 1}


@pytest.mark.parametrize(
    "model, path, once",
    [
        (Finding, "interface__slug", True),  # to-one
        (Finding, "missions__acronym", True),  # a link table holding each pair once
        (Country, "missions__acronym", True),  # the same, followed in reverse
        (Interface, "findings__missions__acronym", False),  # two findings, one mission
        (Measure, "applications__mission__acronym", False),  # two applications, one mission
        (Finding, "mission_links__mission__acronym", False),  # not recognised: DISTINCT
    ],
)
def test_pairs_are_made_distinct_only_where_a_path_can_repeat_them(model, path, once):
    assert _one_pair_each(model, path, keyed_by_record=True) is once


def option_counts(html, name):
    """``{value: count}`` of the options of the form's select ``name``."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return {
        value: int(re.match(r"\((\d+)\) ", unescape(label)).group(1)) for value, label in options
    }


def test_pages_show_beside_each_option_the_records_it_gives(client, kb):
    response = client.get("/findings/?interface=2&country=HTI")
    html = response.content.decode()
    view = dict(PAGES)["/findings/"]
    countries = option_counts(html, "country")
    assert countries["HTI"] == response.context["result_count"] == 3
    for iso3 in ("LBR", "AFG", "XKX"):  # the alternatives, under the interface in force
        assert countries[iso3] == count(view, QueryDict(f"interface=2&country={iso3}")), iso3
    interfaces = option_counts(html, "interface")
    assert interfaces["oc-fuels-conflict"] == count(view, QueryDict("interface=1&country=HTI"))
    # The "all of" select counts the records each key would leave with the rest in force.
    assert option_counts(html, f"country{ALL_SUFFIX}") == countries
    paper = re.search(r'<option value="paper"[^>]*>([^<]*)</option>', html).group(1)
    assert paper.startswith(f"({count(view, QueryDict('interface=2&country=HTI&basis=paper'))}) ")


def shared_pair(model, relation, key):
    """Two keys some record of ``model`` has both of, and which other records have only one."""
    for record in model.objects.prefetch_related(relation):
        keys = sorted(getattr(r, key) for r in getattr(record, relation).all())
        for i, first in enumerate(keys):
            for second in keys[i + 1 :]:
                with_first = set(model.objects.filter(**{f"{relation}__{key}": first}))
                with_second = set(model.objects.filter(**{f"{relation}__{key}": second}))
                if with_first != with_second:
                    return first, second, with_first & with_second, with_first | with_second
    raise AssertionError(f"no record of {model.__name__} has two {relation} to compare")


@pytest.mark.parametrize(
    "path, model, name, relation, key",
    [
        ("/api/v1/findings/", Finding, "mission", "missions", "acronym"),
        ("/api/v1/findings/", Finding, "country", "countries", "iso3"),
        ("/api/v1/measures/", Measure, "interface", "interfaces", "slug"),
    ],
)
def test_all_needs_every_value_and_the_plain_filter_any(kb, path, model, name, relation, key):
    first, second, both, either = shared_pair(model, relation, key)
    api = APIClient()

    def keys(params):
        response = api.get(path, {**params, "limit": 500})
        assert response.status_code == 200, response.content
        return {row["slug"] for row in response.json()["results"]}

    slugs = {record.slug for record in both}
    assert keys({f"{name}{ALL_SUFFIX}": f"{first},{second}"}) == slugs
    assert keys({f"{name}{ALL_SUFFIX}": [first.lower(), second]}) == slugs
    assert keys({name: f"{first},{second}"}) == {record.slug for record in either} != slugs


def test_the_api_adds_facets_whose_urls_give_their_counts(kb):
    api = APIClient()
    # The country facet's own filter is in force: its URLs replace it, not add to it.
    query = {
        "interface": "2",
        "country": "HTI",
        "facets": "mission,country,activity,document,basis",
        "limit": 1,
    }
    body = api.get("/api/v1/findings/", query).json()
    assert set(body["facets"]) == {"mission", "country", "activity", "document", "basis"}
    checked = 0
    for name, facet in body["facets"].items():
        assert facet["label"]
        for value in facet["values"]:
            answer = api.get(value["url"]).json()
            assert answer["count"] == value["count"], (name, value)
            assert answer["facets"].keys() == body["facets"].keys()  # the facets follow
            checked += 1
    assert checked > 10
    assert [v["value"] for v in body["facets"]["country"]["values"] if v["selected"]] == ["HTI"]
    assert "facets" not in api.get("/api/v1/findings/", {"interface": "2"}).json()


def test_api_facets_count_under_the_search_too(kb):
    api = APIClient()
    body = api.get("/api/v1/measures/", {"search": "police", "facets": "country"}).json()
    for value in body["facets"]["country"]["values"]:
        answer = api.get("/api/v1/measures/", {"search": "police", "country": value["value"]})
        assert answer.json()["count"] == value["count"], value


def test_unknown_facets_are_a_400_naming_them_and_the_accepted_ones(kb):
    api = APIClient()
    response = api.get("/api/v1/findings/", {"facets": "mission,misson,zz"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    (error,) = body["errors"]
    assert error["name"] == "facets"
    assert error["code"] == "unknown_facet"
    assert "misson, zz" in error["detail"]
    assert "mission" not in error["detail"].split("Accepted")[0].replace("misson", "")
    assert body["accepted"] == [
        "activity",
        "basis",
        "country",
        "document",
        "interface",
        "mission",
        "source",
    ]
    assert "year" in api.get("/api/v1/missions/", {"facets": "year"}).json()["errors"][0]["detail"]
    assert api.get("/api/v1/documents/", {"facets": "year,kind"}).status_code == 200
    # Facets of a UN symbol (one record each) are not offered.
    assert api.get("/api/v1/documents/", {"facets": "symbol"}).status_code == 400


@pytest.mark.parametrize("path, view", PAGES, ids=[path for path, _ in PAGES])
def test_the_page_form_offers_any_and_all_of_each_filter(client, kb, path, view):
    html = client.get(path).content.decode()
    form = re.search(r'<form class="filter-form".*?</form>', html, re.S).group(0)
    offered = set(re.findall(r'<(?:select|input)[^>]* name="([^"]+)"', form))
    assert offered == set(view.filterset_class.base_filters)
    if any(name.endswith(ALL_SUFFIX) for name in offered):
        assert "Match all of several values" in form


def test_a_key_with_too_many_values_for_a_select_suggests_the_frequent_ones(
    client, kb, monkeypatch, django_assert_num_queries
):
    """Past ``MAX_SELECT_CHOICES`` keys a filter is a text box: it suggests the most frequent
    keys with their counts, and the page runs as many queries as with selects."""
    with CaptureQueriesContext(connection) as with_selects:
        client.get("/findings/?interface=2")
    monkeypatch.setattr("ocpo.portal.MAX_SELECT_CHOICES", 3)
    with django_assert_num_queries(len(with_selects)):
        html = client.get("/findings/?interface=2").content.decode()
    assert '<select name="country"' not in html
    box = re.search(r'<input[^>]* name="country"[^>]*>', html).group(0)
    assert 'list="id_country-values"' in box, box
    datalist = re.search(r'<datalist id="id_country-values">(.*?)</datalist>', html).group(1)
    view = dict(PAGES)["/findings/"]
    suggested = re.findall(r'<option value="([^"]+)">\((\d+)\) ', datalist)
    assert len(suggested) == 3  # the bound of the facet, the most frequent first
    for iso3, shown in suggested:
        assert int(shown) == count(view, QueryDict(f"interface=2&country={iso3}")), iso3
