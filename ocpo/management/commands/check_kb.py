"""manage.py check_kb: lint the loaded knowledge base; non-zero exit on errors."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ocpo.lint import lint, lint_files
from sources.models import EDITORS, PAPER, Source


class Command(BaseCommand):
    help = "Lint the knowledge base in the database and print a summary table."

    def add_arguments(self, parser):
        parser.add_argument(
            "--paper",
            default=settings.KB_PAPER_PATH,
            help="The paper's text, to check quotations verbatim (skipped if absent, "
            "an error under OCPO_REQUIRE_PAPER=1).",
        )
        parser.add_argument(
            "--dir",
            default=None,
            help="The fixture files whose links are checked (default: the bundled ones).",
        )

    def handle(self, *args, paper=None, dir=None, **options):
        paper_path = Path(paper) if paper else None
        paper_text = self.read_paper(paper_path)
        texts, missing = self.read_sources(paper_path, paper_text)
        report = lint(texts, missing)
        report.errors[:0] = lint_files(Path(dir) if dir else settings.KB_FIXTURES_DIR)
        width = max(len(name) for name in report.counts)
        self.stdout.write(f"{'file':<{width}}  records")
        for name, count in report.counts.items():
            self.stdout.write(f"{name:<{width}}  {count:7d}")
        if paper_text is None:
            self.stdout.write("quotations not checked: the paper's text was not found")
        for message in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {message}"))
        for message in report.errors:
            self.stderr.write(self.style.ERROR(f"error: {message}"))
        summary = f"{len(report.errors)} errors, {len(report.warnings)} warnings"
        if report.errors:
            raise CommandError(f"check_kb failed: {summary}")
        self.stdout.write(self.style.SUCCESS(f"check_kb passed: {summary}"))

    def read_sources(self, paper_path, paper_text):
        """{slug: text} of every source with a text file, and a message for each source
        whose text is missing. The paper's is ``--paper``; another source's is its
        ``text_path``, in the folder of the paper's text (OCPO_PAPER's folder)."""
        texts, missing = {PAPER: paper_text} if paper_text is not None else {}, []
        folder = paper_path.parent if paper_path is not None else None
        for source in Source.objects.exclude(slug__in=[PAPER, EDITORS]).order_by("slug"):
            path = folder / source.text_path if folder and source.text_path else None
            if path is not None and path.is_file():
                texts[source.slug] = path.read_text(encoding="utf-8")
                continue
            where = f"at {path}" if path is not None else "(no text_path)"
            message = (
                f"source {source.slug}: its text is not found {where}: "
                "quotations citing it are not checked"
            )
            if settings.KB_REQUIRE_PAPER:
                raise CommandError(f"{message} (OCPO_REQUIRE_PAPER is set)")
            missing.append(message)
        return texts, missing

    def read_paper(self, path):
        """The paper's text, or None; a missing text is an error when it is required."""
        if path is not None and path.is_file():
            return path.read_text(encoding="utf-8")
        if settings.KB_REQUIRE_PAPER:
            raise CommandError(
                f"the paper's text is required (OCPO_REQUIRE_PAPER) but not found at {path}: "
                "set OCPO_PAPER to interfaces-paper.txt, or unset OCPO_REQUIRE_PAPER to "
                "skip the quotation check"
            )
        return None
