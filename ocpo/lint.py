"""Editorial lint of the knowledge base: what the database constraints cannot say.

Errors break the knowledge base's promises (every finding placed and sourced, every
measure exemplified, well-formed symbols); warnings point editors at loose ends.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Q

from interfaces.models import Finding, IllicitActivity, Interface, Question
from measures.models import Measure, MeasureApplication
from missions.models import Country, Document, DocumentKind, Mission, Source, SourcedModel
from sources.models import PAPER, LinkBasis, SourceSection

from .kb import FILES, KnowledgeBaseError, parse_link_item, read_records, sourced_through
from .paper import PaperError
from .paper import parse as parse_paper

SYMBOL_FORMS = {
    DocumentKind.RESOLUTION: r"S/RES/\d+(?: \(\d{4}\))?",
    DocumentKind.PRESIDENTIAL_STATEMENT: r"S/PRST/\d{4}/\d+",
    DocumentKind.SG_REPORT: r"(?:S|A)/\d{4}/\d+|A/\d+/\d+",
    DocumentKind.PANEL_REPORT: r"S/\d{4}/\d+",
    DocumentKind.UN_REPORT: r"(?:S|A)/\d{4}/\d+|A/\d+/\d+",
}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def link_models():
    """Every through model whose rows carry a basis, in the knowledge base's apps."""
    seen = []
    for spec in FILES:
        for m2m in spec.model._meta.many_to_many:
            through = sourced_through(m2m)
            if through is not None and through not in seen:
                seen.append(through)
    return seen


def lint_links(error):
    """Every link has a valid basis, and every editors' link says why."""
    for through in link_models():
        label = through._meta.verbose_name
        for row in through.objects.exclude(basis__in=LinkBasis.values).select_related(
            through.owner_field, through.target_field
        ):
            error(f"{label} {'/'.join(row.natural_key())}: link without a basis")
        for row in through.objects.filter(basis=LinkBasis.EDITORS, reason="").select_related(
            through.owner_field, through.target_field
        ):
            error(f"{label} {'/'.join(row.natural_key())}: editors' link without a reason")
    for spec in FILES:
        for name, (basis, reason) in spec.link_basis_fields.items():
            rows = spec.model.objects.filter(**{f"{name}__isnull": False})
            for obj in rows.exclude(**{f"{basis}__in": LinkBasis.values}):
                error(f"{spec.model._meta.verbose_name} {obj}: {name} link without a basis")
            for obj in rows.filter(**{basis: LinkBasis.EDITORS, reason: ""}):
                error(
                    f"{spec.model._meta.verbose_name} {obj}: editors' {name} link without a reason"
                )


def lint_files(directory):
    """The links as written in the fixture files: a mapping names its basis, editors say why.

    The loader refuses the same mistakes; this lets ``check_kb`` report every one of them
    at once, file and record named, without touching the database.
    """
    errors = []
    for spec in FILES:
        try:
            records = read_records(directory, spec)
        except KnowledgeBaseError as problem:
            errors.append(str(problem))
            continue
        linked = [f.name for f in spec.model._meta.many_to_many if sourced_through(f) is not None]
        linked += list(spec.link_basis_fields)
        for index, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                continue
            key = ", ".join(str(record.get(name)) for name in spec.key)
            where = f"{spec.path}, record {index} ({key})"
            for name in linked:
                value = record.get(name)
                items = value if isinstance(value, list) else [] if value is None else [value]
                for item in items:
                    try:
                        parse_link_item(where, name, item)
                    except KnowledgeBaseError as problem:
                        errors.append(str(problem))
    return errors


def lint_quotations(texts, error, warn=None):
    """Each quotation stands verbatim in the text of the source its finding cites, on the
    page the finding gives. ``texts`` is {source slug: its text, or None when absent}.

    The message names the fixture file and the record, as the editors fix it there.
    """
    warn = warn or error
    file = next(spec.path for spec in FILES if spec.model is Finding)
    parsed = {}
    for slug, text in texts.items():
        if text is None:
            continue
        try:
            parsed[slug] = parse_paper(text)
        except PaperError as problem:
            label = "the paper's text" if slug == PAPER else f"the text of source {slug}"
            error(f"{label}: {problem}")
    for finding in Finding.objects.order_by("slug"):
        where = f"{file}, finding {finding.slug}"
        paper = parsed.get(finding.source_id)
        if paper is None:
            if finding.quotation and finding.source_id not in texts:
                warn(f"{where}: quotation not checked: source {finding.source_id} has no text")
            continue
        name = "the paper" if finding.source_id == PAPER else f"source {finding.source_id}"
        if finding.page and not paper.holds(finding.page):
            error(
                f"{where}: page {finding.page!r} is not a page of {name} "
                f"({paper.first}-{paper.last})"
            )
            continue
        if not finding.quotation:
            continue
        pages = paper.pages_of(finding.quotation)
        if not pages:
            error(f"{where}: quotation not found verbatim in {name}")
        elif not finding.page:
            error(
                f"{where}: no page; the quotation stands on page {' or '.join(pages)} "
                "(manage.py locate_pages fills it in)"
            )
        elif finding.page not in pages:
            error(
                f"{where}: page {finding.page} is wrong; the quotation stands on "
                f"page {' or '.join(pages)}"
            )


def lint_sections(error):
    """Each record's section is a section of its source (a code such as "II.1")."""
    known = set(SourceSection.objects.values_list("source__slug", "code"))
    for spec in FILES:
        if not issubclass(spec.model, SourcedModel):
            continue
        rows = spec.model.objects.exclude(section="").order_by("pk")
        for obj in rows:
            if (obj.source_id, obj.section) not in known:
                key = ", ".join(map(str, obj.natural_key()))
                error(
                    f"{spec.path}, record {key}: section {obj.section!r} is not a section of "
                    f"source {obj.source_id}"
                )


def lint(texts=None, missing_texts=()):
    """Check the knowledge base in the database; quotations too when given the texts.

    ``texts`` is {source slug: text or None} (a bare text is the paper's);
    ``missing_texts`` names the sources whose text was not found, each a warning."""
    if isinstance(texts, str):
        texts = {PAPER: texts}
    report = Report()
    error, warn = report.errors.append, report.warnings.append

    # A finding is a case: it names a mission or a country. The paper also makes general
    # points with no place; those must stand on a cited document or the paper's own words.
    unplaced = Finding.objects.annotate(
        places=Count("missions", distinct=True) + Count("countries", distinct=True),
        cited=Count("documents", distinct=True),
    ).filter(places=0)
    for finding in unplaced:
        if finding.cited or finding.quotation:
            warn(f"finding {finding.slug}: general (names no mission or country)")
        else:
            error(f"finding {finding.slug}: names no mission and no country, and cites nothing")
    for finding in Finding.objects.filter(source=Source.PAPER, footnotes="", quotation=""):
        warn(f"finding {finding.slug}: no footnote and no quotation to check it by")

    for measure in Measure.objects.filter(applications__isnull=True):
        error(f"measure {measure.slug}: has no application (example)")
    for measure in Measure.objects.filter(interfaces__isnull=True):
        warn(f"measure {measure.slug}: addresses no interface")
    for application in MeasureApplication.objects.filter(all_missions=True).exclude(
        mission__isnull=True, country__isnull=True
    ):
        error(
            f"application {application.measure.slug}/{application.position}: "
            "'all missions' together with a mission or country"
        )

    today = datetime.date.today()
    for document in Document.objects.all():
        form = SYMBOL_FORMS.get(document.kind)
        if document.symbol and form and not re.fullmatch(form, document.symbol):
            error(
                f"document {document.slug}: symbol {document.symbol!r} is not a "
                f"well-formed {document.get_kind_display().lower()} symbol"
            )
        if document.date and document.date.year != document.year:
            error(f"document {document.slug}: date {document.date} is not in year {document.year}")
        if document.date and document.date > today:
            error(f"document {document.slug}: date {document.date} is in the future")
        if document.kind in SYMBOL_FORMS and not document.symbol:
            warn(f"document {document.slug}: UN document without a symbol")

    for mission in Mission.objects.all():
        if mission.start_date and mission.start_date.year < 1945:
            error(f"mission {mission.acronym}: starts before the UN existed")
        if mission.end_date and mission.end_date > today:
            error(f"mission {mission.acronym}: end date {mission.end_date} is in the future")
        if not mission.countries.exists():
            error(f"mission {mission.acronym}: has no host country")

    orphans = (
        (
            Country,
            Q(
                missions__isnull=True,
                findings__isnull=True,
                documents__isnull=True,
                applications__isnull=True,
            ),
            "iso3",
        ),
        (
            Mission,
            Q(findings__isnull=True, applications__isnull=True, documents__isnull=True),
            "acronym",
        ),
        (Document, Q(findings__isnull=True, established_missions__isnull=True), "slug"),
        (IllicitActivity, Q(findings__isnull=True), "slug"),
        (Interface, Q(findings__isnull=True), "slug"),
    )
    for model, unlinked, key in orphans:
        for obj in model.objects.filter(unlinked).distinct():
            error(f"{model._meta.verbose_name} {getattr(obj, key)}: orphaned, nothing links to it")
    for question in Question.objects.filter(interfaces__isnull=True):
        error(f"question {question.slug}: concerns no interface")

    for message in missing_texts:
        warn(message)
    lint_sections(error)
    if texts:
        lint_quotations(texts, error, warn)

    lint_links(error)
    for finding in Finding.objects.exclude(quoted_document=None).filter(quotation=""):
        error(f"finding {finding.slug}: names a quoted document but quotes nothing")
    for finding in Finding.objects.exclude(quoted_document=None).exclude(
        documents=models.F("quoted_document")
    ):
        warn(f"finding {finding.slug}: quotes a document it does not link to")

    report.counts = {spec.path: spec.model.objects.count() for spec in FILES}
    return report
