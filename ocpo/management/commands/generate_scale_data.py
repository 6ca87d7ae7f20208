"""manage.py generate_scale_data: synthetic records shaped like the real ones, for benchmarks.

Factor 1 is about the size of the bundled knowledge base; factor 1000 gives about 100,000
findings, 10,000 missions, 50,000 documents and 30,000 applications. Every record is
marked synthetic (source "editors", a note naming the seed, keys starting "synthetic-" or
"SYN") and the output is the same for the same seed. Run it against a separate database
(DATABASE_URL), after load_kb if the synthetic records should sit beside the real ones:
they reuse its interfaces and Annex areas.
"""

import datetime
import itertools
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from interfaces.models import Finding, IllicitActivity, Interface
from measures.models import ActivityArea, Measure, MeasureApplication
from missions.models import Country, Document, DocumentKind, Mission, MissionKind, Source
from ocpo.datastate import bump_data_state
from ocpo.search import rebuild_vocabulary
from sources.models import LinkBasis

# Records per unit of factor, in the proportions of the bundled knowledge base.
PER_FACTOR = {
    "countries": 5,
    "documents": 50,
    "missions": 10,
    "findings": 100,
    "measures": 3,
    "applications": 30,
}
BATCH = 2000
WORDS = (
    "organized crime drug trafficking diamond smuggling arms embargo gangs elite corruption "
    "police mission border port airport rubber plantation sanctions panel resolution report "
    "capacity building security sector reform peace process spoilers illicit economy cocaine "
    "human trafficking piracy kidnapping protection rackets intelligence analysis"
).split()

SYLLABLES = "ka lo mi ne ru sa te vo bi da fe gu hi jo ku le ma no pe ri".split()
FILLER = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:10]]


class Command(BaseCommand):
    help = "Fill the (empty, separate) database with deterministic synthetic records."

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=int, default=1, help="1 = bundled size.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same records.")
        parser.add_argument(
            "--flush", action="store_true", help="Delete existing knowledge-base records first."
        )

    def handle(self, *args, factor, seed, flush, **options):
        if factor < 1:
            raise CommandError("--factor must be at least 1")
        if Finding.objects.filter(slug__startswith="synthetic-").exists() and not flush:
            raise CommandError(
                "The database already holds synthetic records: pass --flush to replace them."
            )
        self.random = random.Random(seed)
        self.note = f"Synthetic record made by generate_scale_data (seed {seed}); not in the paper."
        self.link_basis = {"basis": LinkBasis.EDITORS, "reason": self.note}
        self.progress = options["verbosity"] > 0
        with transaction.atomic():
            if flush:
                self.flush()
            counts = self.generate({k: v * factor for k, v in PER_FACTOR.items()})
        bump_data_state()  # bulk inserts send no signals: cached answers must go stale
        words = rebuild_vocabulary()  # nor do they add their words to search's vocabulary
        self.stdout.write(f"{words:9d} words in the search vocabulary")
        for name, count in counts.items():
            self.stdout.write(f"{count:9d} {name}")

    def flush(self):
        """Remove the synthetic records only; real ones stay."""
        MeasureApplication.objects.filter(measure__slug__startswith="synthetic-").delete()
        Finding.objects.filter(slug__startswith="synthetic-").delete()
        Measure.objects.filter(slug__startswith="synthetic-").delete()
        Mission.objects.filter(acronym__startswith="SYN").delete()
        for model in (Document, IllicitActivity, Interface, ActivityArea):
            model.objects.filter(slug__startswith="synthetic-").delete()
        Country.objects.filter(name__startswith="Synthetic country").delete()

    def text(self, words):
        """Filler words with a domain word now and then, so searches match a few percent."""
        rnd = self.random
        return " ".join(
            rnd.choice(WORDS) if rnd.random() < 0.02 else rnd.choice(FILLER) for _ in range(words)
        ).capitalize()

    def bulk(self, model, rows, label):
        created = []
        for start in tqdm(
            range(0, len(rows), BATCH), desc=label, unit="batch", disable=not self.progress
        ):
            created.extend(model.objects.bulk_create(rows[start : start + BATCH]))
        return created

    def link(self, field, pairs):
        """Bulk-insert many-to-many rows (owner, related) through the field's table."""
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        # A link row that records its basis: the synthetic links are the editors' own.
        basis = self.link_basis if hasattr(through, "basis") else {}
        rows = [through(**{f"{source}_id": a, f"{target}_id": b}, **basis) for a, b in set(pairs)]
        self.bulk(through, rows, f"{field.model.__name__}.{field.name}")

    def generate(self, n):
        rnd = self.random
        provenance = {"source_id": Source.EDITORS, "editorial_note": self.note}
        interfaces = list(Interface.objects.all()) or self.bulk(
            Interface,
            [
                Interface(
                    number=k,
                    slug=f"synthetic-interface-{k}",
                    title=f"Synthetic interface {k}",
                    summary=self.text(20),
                )
                for k in range(1, 8)
            ],
            "interfaces",
        )
        activities = self.bulk(
            IllicitActivity,
            [
                IllicitActivity(slug=f"synthetic-activity-{k}", name=f"Synthetic activity {k}")
                for k in range(12)
            ],
            "activities",
        )
        countries = self.bulk(
            Country,
            [
                Country(
                    iso3=code, name=f"Synthetic country {k}", region=f"Synthetic region {k % 12}"
                )
                for k, code in enumerate(_free_codes(n["countries"]))
            ],
            "countries",
        )
        documents = []
        for k in range(n["documents"]):
            date = datetime.date(1990, 1, 1) + datetime.timedelta(days=rnd.randrange(12000))
            documents.append(
                Document(
                    slug=f"synthetic-s-res-{k}",
                    kind=rnd.choice(DocumentKind.values),
                    symbol=f"S/{date.year}/{100000 + k}",
                    title=self.text(8),
                    author="Synthetic body",
                    date=date,
                    year=date.year,
                    description=self.text(30),
                    **provenance,
                )
            )
        documents = self.bulk(Document, documents, "documents")
        missions = []
        for k in range(n["missions"]):
            start = datetime.date(1990, 1, 1) + datetime.timedelta(days=rnd.randrange(10000))
            end = start + datetime.timedelta(days=rnd.randrange(300, 5000)) if k % 3 else None
            missions.append(
                Mission(
                    acronym=f"SYN{k}",
                    name=f"Synthetic mission {k}",
                    kind=rnd.choice(MissionKind.values),
                    lead_organization=rnd.choice(["UN", "UN", "UN", "EU", "NATO", "AU"]),
                    start_date=start,
                    end_date=end,
                    establishing_document=rnd.choice(documents),
                    summary=self.text(30),
                    **provenance,
                )
            )
        missions = self.bulk(Mission, missions, "missions")
        self.link(Mission.countries.field, [(m.pk, rnd.choice(countries).pk) for m in missions])
        self.link(Document.countries.field, [(d.pk, rnd.choice(countries).pk) for d in documents])
        self.link(Document.missions.field, [(d.pk, rnd.choice(missions).pk) for d in documents])

        findings = self.bulk(
            Finding,
            [
                Finding(
                    slug=f"synthetic-finding-{k}",
                    interface=rnd.choice(interfaces),
                    position=k % 30000,
                    title=self.text(6),
                    summary=self.text(40),
                    **provenance,
                )
                for k in range(n["findings"])
            ],
            "findings",
        )
        for field, pool in (
            (Finding.missions.field, missions),
            (Finding.countries.field, countries),
            (Finding.documents.field, documents),
            (Finding.activities.field, activities),
        ):
            self.link(field, [(f.pk, rnd.choice(pool).pk) for f in findings for _ in range(2)])

        areas = list(ActivityArea.objects.all()) or self.bulk(
            ActivityArea,
            [
                ActivityArea(number=k, slug=f"synthetic-area-{k}", name=f"Synthetic area {k}")
                for k in range(1, 16)
            ],
            "areas",
        )
        measures = self.bulk(
            Measure,
            [
                Measure(
                    area=areas[k % len(areas)],
                    position=1000 + k,
                    slug=f"synthetic-measure-{k}",
                    name=self.text(5),
                )
                for k in range(n["measures"])
            ],
            "measures",
        )
        self.link(Measure.interfaces.field, [(m.pk, rnd.choice(interfaces).pk) for m in measures])
        applications = []
        for k in range(n["applications"]):
            mission = rnd.choice(missions)
            applications.append(
                MeasureApplication(
                    measure=measures[k % len(measures)],
                    position=k,
                    mission=mission,
                    country=rnd.choice(countries),
                    mission_basis=LinkBasis.EDITORS,
                    mission_reason=self.note,
                    country_basis=LinkBasis.EDITORS,
                    country_reason=self.note,
                    label=self.text(3),
                    **provenance,
                )
            )
        self.bulk(MeasureApplication, applications, "applications")
        return {
            "countries": len(countries),
            "documents": len(documents),
            "missions": len(missions),
            "findings": len(findings),
            "measures": len(measures),
            "applications": len(applications),
        }


def _free_codes(count):
    """Up to ``count`` three-letter codes that no real country in the database uses."""
    taken = set(Country.objects.values_list("iso3", flat=True))
    letters = [chr(65 + x) for x in range(26)]
    codes = (a + b + c for a in reversed(letters) for b in letters for c in letters)
    return list(itertools.islice((code for code in codes if code not in taken), count))
