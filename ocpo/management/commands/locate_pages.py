"""manage.py locate_pages: give each quoting finding the paper's page where its quotation stands.

It writes the database (one revision, so the change shows in each record's history); run
``export_kb`` after it to write the fixtures. A quotation found on several pages, or on
none, is left for the editors and named; ``check_kb`` verifies every page afterwards.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from interfaces.models import Finding
from ocpo.paper import PaperError, parse
from ocpo.revisions import recorded


class Command(BaseCommand):
    help = "Locate each finding's quotation in the paper's text and store its page."

    def add_arguments(self, parser):
        parser.add_argument("--paper", default=settings.KB_PAPER_PATH, help="The paper's text.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; change nothing."
        )

    def handle(self, *args, paper, dry_run=False, **options):
        path = Path(paper)
        if not path.is_file():
            raise CommandError(f"the paper's text is not at {path} (--paper or OCPO_PAPER)")
        try:
            pages = parse(path.read_text(encoding="utf-8"))
        except PaperError as problem:
            raise CommandError(f"{path}: {problem}") from None
        changed, unresolved = [], []
        for finding in Finding.objects.exclude(quotation="").order_by("slug"):
            found = pages.pages_of(finding.quotation)
            if len(found) != 1:
                where = f"on pages {', '.join(found)}" if found else "nowhere in the paper"
                unresolved.append(f"finding {finding.slug}: the quotation stands {where}")
            elif finding.page != found[0]:
                changed.append((finding, found[0]))
        for finding, page in changed:
            self.stdout.write(f"finding {finding.slug}: page {finding.page or '-'} -> {page}")
        if changed and not dry_run:
            with recorded("Pages located in the paper's text (locate_pages)."):
                for finding, page in changed:
                    finding.page = page
                    finding.save(update_fields=["page"])
        for message in unresolved:
            self.stderr.write(self.style.WARNING(f"left to the editors: {message}"))
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"{len(changed)} pages {verb}, {len(unresolved)} left to the editors"
            + ("; run export_kb to write the fixtures" if changed and not dry_run else "")
        )
