"""Small factories for test data: one function per model, plus a linked ``world`` of any size.

Each factory fills what the model requires and takes keyword overrides; links are set
with the same keywords (``countries=[...]``). ``make_world(n)`` builds ``n`` of every
kind of record, all linked, for query-count tests at two data sizes.
"""

import datetime
import importlib
import itertools

from interfaces.models import Finding, IllicitActivity, Interface, Mechanism, Question
from measures.models import ActivityArea, Measure, MeasureApplication, PoliceFunction
from missions.models import Country, Document, DocumentKind, Mission, MissionKind
from sources.models import Source, SourceSection

# Links made by the factories are the paper's unless a test says otherwise.
PAPER = {"basis": "paper"}

_counter = itertools.count(1)


def _n():
    return next(_counter)


def _letters(n):
    """A three-letter upper-case code for n (AAA, AAB, ...)."""
    a, rest = divmod(n, 26 * 26)
    b, c = divmod(rest, 26)
    return "".join(chr(65 + x % 26) for x in (a, b, c))


def ensure_sources():
    """The paper and the editors as sources, with the paper's sections, as the migrations
    create them: a test database flushed by a transactional test has lost them."""
    if Source.objects.filter(slug="paper").exists():
        return
    seed = importlib.import_module("sources.migrations.0002_paper_and_editors")
    paper = Source.objects.create(**seed.PAPER)
    Source.objects.get_or_create(**seed.EDITORS)
    for position, (code, title, pages) in enumerate(seed.SECTIONS, start=1):
        SourceSection.objects.create(
            source=paper, code=code, title=title, position=position, pages=pages
        )


def _create(model, m2m, **fields):
    ensure_sources()
    if isinstance(fields.get("source"), str):  # a source by its slug ("paper", "editors")
        fields["source_id"] = fields.pop("source")
    obj = model.objects.create(**fields)
    for name, values in m2m.items():
        manager = getattr(obj, name)
        sourced = hasattr(manager.through, "owner_field")
        manager.set(values, through_defaults=PAPER if sourced else None)
    return obj


def _split(fields, names):
    m2m = {name: fields.pop(name) for name in names if name in fields}
    return fields, m2m


def make_source(**fields):
    n = _n()
    fields.setdefault("slug", f"source-{n}")
    fields.setdefault("title", f"Source {n}")
    return Source.objects.create(**fields)


def make_section(source, **fields):
    n = _n()
    fields.setdefault("code", f"S{n}")
    fields.setdefault("title", f"Section {n}")
    fields.setdefault("position", n)
    return SourceSection.objects.create(source=source, **fields)


def make_country(**fields):
    n = _n()
    fields.setdefault("iso3", _letters(n))
    fields.setdefault("name", f"Country {n}")
    fields.setdefault("region", "Test Region")
    return Country.objects.create(**fields)


def make_document(**fields):
    n = _n()
    fields, m2m = _split(fields, ["countries", "missions"])
    fields.setdefault("slug", f"s-res-{9000 + n}")
    fields.setdefault("kind", DocumentKind.RESOLUTION)
    fields.setdefault("symbol", f"S/RES/{9000 + n}")
    fields.setdefault("title", f"Resolution {9000 + n}")
    fields.setdefault("author", "Security Council")
    fields.setdefault("date", datetime.date(2012, 1, 1) + datetime.timedelta(days=n))
    fields.setdefault("year", fields["date"].year if fields["date"] else 2012)
    fields.setdefault("section", "I")
    return _create(Document, m2m, **fields)


def make_mission(**fields):
    n = _n()
    fields, m2m = _split(fields, ["countries"])
    fields.setdefault("acronym", f"MIS{n}")
    fields.setdefault("name", f"Test Mission {n}")
    fields.setdefault("kind", MissionKind.UN_PKO)
    fields.setdefault("lead_organization", "UN")
    fields.setdefault("start_date", datetime.date(2004, 1, 1))
    fields.setdefault("section", "II")
    return _create(Mission, m2m, **fields)


def make_activity(**fields):
    n = _n()
    fields.setdefault("slug", f"activity-{n}")
    fields.setdefault("name", f"Activity {n}")
    return IllicitActivity.objects.create(**fields)


def make_interface(**fields):
    taken = set(Interface.objects.values_list("number", flat=True))
    number = fields.pop("number", None) or min(set(range(1, 8)) - taken)
    fields.setdefault("slug", f"interface-{number}")
    fields.setdefault("title", f"Interface {number}")
    fields.setdefault("summary", f"Summary of interface {number}.")
    return Interface.objects.create(number=number, **fields)


def make_mechanism(**fields):
    fields.setdefault("interface", Interface.objects.first() or make_interface())
    fields.setdefault("position", fields["interface"].mechanisms.count() + 1)
    fields.setdefault("description", "Funding or resourcing armed groups.")
    return Mechanism.objects.create(**fields)


def make_finding(**fields):
    n = _n()
    fields, m2m = _split(fields, ["missions", "countries", "documents", "activities"])
    fields.setdefault("interface", Interface.objects.first() or make_interface())
    fields.setdefault("slug", f"finding-{n}")
    fields.setdefault("title", f"Finding {n}")
    fields.setdefault("summary", f"Evidence number {n}.")
    fields.setdefault("section", "II.1")
    return _create(Finding, m2m, **fields)


def make_question(**fields):
    n = _n()
    fields, m2m = _split(fields, ["interfaces"])
    fields.setdefault("number", n)
    fields.setdefault("slug", f"question-{n}")
    fields.setdefault("text", f"Question {n}?")
    return _create(Question, m2m, **fields)


def make_area(**fields):
    n = _n()
    fields.setdefault("number", n)
    fields.setdefault("slug", f"area-{n}")
    fields.setdefault("name", f"Area {n}")
    return ActivityArea.objects.create(**fields)


def make_measure(**fields):
    n = _n()
    fields, m2m = _split(fields, ["interfaces"])
    fields.setdefault("area", ActivityArea.objects.first() or make_area())
    fields.setdefault("position", n)
    fields.setdefault("slug", f"measure-{n}")
    fields.setdefault("name", f"Measure {n}")
    return _create(Measure, m2m, **fields)


def make_application(**fields):
    n = _n()
    fields, m2m = _split(fields, ["repeated_in"])
    fields.setdefault("measure", Measure.objects.first() or make_measure())
    fields.setdefault("position", n)
    if not fields.get("all_missions") and "country" not in fields:
        fields.setdefault("mission", Mission.objects.first() or make_mission())
    fields.setdefault("section", "Annex")
    for place in ("mission", "country"):
        if fields.get(place) is not None:
            fields.setdefault(f"{place}_basis", "paper")
    return _create(MeasureApplication, m2m, **fields)


def make_police_function(**fields):
    n = _n()
    fields, m2m = _split(fields, ["measures", "repeated_in"])
    fields.setdefault("kind", "activity")
    fields.setdefault("position", n)
    fields.setdefault("slug", f"police-function-{n}")
    fields.setdefault("name", f"Police function {n}")
    return _create(PoliceFunction, m2m, **fields)


def make_world(size):
    """``size`` linked records of every kind: the query count must not grow with ``size``."""
    interfaces = [
        Interface.objects.filter(number=k).first() or make_interface(number=k) for k in (1, 2)
    ]
    activity = make_activity()
    area = make_area()
    # A second source, cited by one finding of each size: its title shows beside it.
    report = Source.objects.filter(slug="world-report").first() or make_source(
        slug="world-report", title="A report of the world"
    )
    if not report.sections.exists():
        make_section(report, code="A")
    for _ in range(size):
        country = make_country()
        document = make_document(countries=[country])
        mission = make_mission(countries=[country], establishing_document=document)
        document.missions.set([mission], through_defaults=PAPER)
        for interface in interfaces:
            make_finding(
                interface=interface,
                missions=[mission],
                countries=[country],
                documents=[document],
                activities=[activity],
            )
        repeating = make_finding(
            interface=interfaces[0],
            missions=[mission],
            countries=[country],
            source_id=report.slug,
            section="A",
        )
        measure = make_measure(area=area, interfaces=interfaces)
        example = make_application(
            measure=measure, mission=mission, country=country, label="Example"
        )
        # The finding repeats the example (the editors' link) and the function (the paper's).
        example.repeated_in.add(
            repeating, through_defaults={"basis": "editors", "reason": "Grouped by the editors."}
        )
        make_question(interfaces=interfaces)
        make_police_function(measures=[measure], repeated_in=[repeating])
    return {"interfaces": interfaces, "activity": activity, "area": area}


def make_place_pairs():
    """Applications and findings that each reach a country by one path only.

    ``mission_only`` names a mission hosted in ``country`` and no country; ``country_only``
    names ``country`` and no mission; ``elsewhere`` is in another country. A filter that
    drops either path, or matches both always, gives a different set.
    """
    country = make_country(iso3="PTH", name="Pathland")
    other = make_country(iso3="OTH", name="Otherland")
    mission = make_mission(acronym="PATHM", countries=[country])
    other_mission = make_mission(acronym="OTHM", countries=[other])
    measure = make_measure()
    return {
        "country": country,
        "mission": mission,
        "measure": measure,
        "mission_only": make_application(measure=measure, mission=mission, label="mission only"),
        "country_only": make_application(
            measure=measure, mission=None, country=country, label="country only"
        ),
        "elsewhere": make_application(measure=measure, mission=other_mission, label="elsewhere"),
    }


def make_crowded_world(extra=3):
    """More missions than a matrix shows: ``MATRIX_MAX_MISSIONS`` missions with evidence and
    ``extra`` without, whose acronyms sort first, so that keeping the least evidence (or
    sorting by name) picks visibly different columns. Returns (with, without) acronyms."""
    from ocpo.selectors import MATRIX_MAX_MISSIONS

    interface = Interface.objects.filter(number=1).first() or make_interface(number=1)
    measure = make_measure()
    empty = [make_mission(acronym=f"AAEMPTY{k}") for k in range(extra)]
    busy = []
    for k in range(MATRIX_MAX_MISSIONS):
        mission = make_mission(acronym=f"BUSY{k:02d}")
        make_finding(interface=interface, missions=[mission])
        make_application(measure=measure, mission=mission)
        busy.append(mission)
    return [m.acronym for m in busy], [m.acronym for m in empty]
