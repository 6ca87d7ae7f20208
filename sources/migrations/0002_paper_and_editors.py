"""The two sources the knowledge base had before there could be more: the paper, with its
sections (the codes ``paper_section`` held), and the editors.

The fixtures (``fixtures/sources/``) hold the same records; this migration creates them so
that the existing records' provenance can point to them (missions, interfaces, measures).
Page ranges are the pages each heading and its text stand on, located in the paper's text
as the findings' pages are (``ocpo.paper``).
"""

from django.db import migrations
from django.utils import timezone

PAPER = {
    "slug": "paper",
    "title": "Interfaces between Peace Operations and Organized Crime",
    "licence": "The text states no licence.",
    "text_path": "interfaces-paper.txt",
}
EDITORS = {
    "slug": "editors",
    "title": "Added by the editors",
}
SECTIONS = [
    ("I", "Introduction: Organized Crime and International Peace and Security", "1-4"),
    ("I.a", "Organized Crime and State Fragility", "2-3"),
    ("I.b", "Implications for Peace Operations", "3-4"),
    ("II", "The Organized Crime – Peace Operations Nexus", "4-8"),
    ("II.1", "Organized Crime Fuels Conflict", "4-5"),
    ("II.2", "Organized Crime Undermines Security", "5"),
    ("II.3", "Peacekeepers Participate in Organized Crime", "6"),
    ("II.4", "Peace Operations Fuel Organized Crime", "6-7"),
    ("II.5", "Peace Operations co-opt Organized Crime", "7"),
    ("II.6", "Organized Crime Corrupts Elites", "7-8"),
    ("II.7", "Peace Operations Combat Organized Crime", "8"),
    ("III", "Some Cross-Cutting Issues", "9-11"),
    ("III.a", "Organized Crime is not a Side Issue in Mission Areas", "9"),
    ("III.b", "Organized Crime Affects the Core Business of Peace Operations", "9-10"),
    ("III.c", "Box 2: UN Police Policy: Core Functions and Activities of UN Police", "10"),
    ("III.d", "Is Peacekeeping also Crime Fighting?", "11"),
    ("IV", "Questions for Discussion", "11-12"),
    (
        "Annex",
        "Annex, Table 1. Measures Employed by Peace Operations to Curb Organized Crime and "
        "Illegal Economic Activities – Selected examples",
        "13",
    ),
]


def create(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    Section = apps.get_model("sources", "SourceSection")
    # One moment for all, created and modified alike: listed as created, not as changed.
    moment = timezone.now()
    now = {"created": moment, "modified": moment}
    paper, _ = Source.objects.get_or_create(slug=PAPER["slug"], defaults={**PAPER, **now})
    Source.objects.get_or_create(slug=EDITORS["slug"], defaults={**EDITORS, **now})
    for position, (code, title, pages) in enumerate(SECTIONS, start=1):
        Section.objects.get_or_create(
            source=paper,
            code=code,
            defaults={"title": title, "position": position, "pages": pages, **now},
        )


def remove(apps, schema_editor):
    apps.get_model("sources", "Source").objects.filter(slug__in=["paper", "editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_sources_and_sections")]

    operations = [migrations.RunPython(create, remove)]
