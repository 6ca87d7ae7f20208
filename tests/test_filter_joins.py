"""Filters over to-one relations join them; over many-valued ones they select keys apart.

A subquery of primary keys keeps rows distinct where a join would repeat them (a finding
with two missions), but where no row can repeat it only costs: PostgreSQL then reads every
match twice, and counting one interface's findings at factor 1000 took 40 times longer.
"""

import pytest

from interfaces.filters import FindingFilterSet
from interfaces.models import Finding, Interface
from measures.models import MeasureApplication
from ocpo.filters import to_one

pytestmark = pytest.mark.django_db


def _filtered(params):
    return FindingFilterSet(params, queryset=Finding.objects.all()).qs


def test_a_filter_over_a_to_one_relation_joins_it(kb):
    interface = Interface.objects.get(slug="oc-fuels-conflict")
    by_interface = _filtered({"interface": "OC-Fuels-Conflict"})
    assert "IN (SELECT" not in str(by_interface.query).upper()
    assert list(by_interface) == list(Finding.objects.filter(interface=interface))
    assert list(_filtered({"interface": str(interface.number)})) == list(by_interface)


def test_a_filter_over_a_many_valued_relation_keeps_rows_distinct(kb):
    by_mission = _filtered({"mission": "UNMIL"})
    assert "IN (SELECT" in str(by_mission.query).upper()
    rows = list(by_mission)
    assert len(rows) == len(set(rows)) == Finding.objects.filter(missions__acronym="UNMIL").count()


def test_to_one_follows_each_step_of_the_path():
    assert to_one(Finding, "slug")
    assert to_one(Finding, "interface__slug")
    assert to_one(MeasureApplication, "measure__area__slug")
    assert not to_one(Finding, "missions__acronym")
    assert not to_one(MeasureApplication, "mission__countries__iso3")
    assert not to_one(Interface, "findings__slug")
