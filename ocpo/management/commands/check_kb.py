"""manage.py check_kb: lint the loaded knowledge base; non-zero exit on errors."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ocpo.lint import lint, lint_files


class Command(BaseCommand):
    help = "Lint the knowledge base in the database and print a summary table."

    def add_arguments(self, parser):
        parser.add_argument(
            "--paper",
            default=settings.KB_PAPER_PATH,
            help="The paper's text, to check quotations verbatim (skipped if absent).",
        )
        parser.add_argument(
            "--dir",
            default=None,
            help="The fixture files whose links are checked (default: the bundled ones).",
        )

    def handle(self, *args, paper=None, dir=None, **options):
        paper_path = Path(paper) if paper else None
        paper_text = (
            paper_path.read_text(encoding="utf-8") if paper_path and paper_path.exists() else None
        )
        report = lint(paper_text)
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
