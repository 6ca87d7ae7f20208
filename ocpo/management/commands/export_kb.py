"""manage.py export_kb: write the database back to the knowledge base files."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ocpo import kb


class Command(BaseCommand):
    help = "Write every knowledge-base record to fixtures/ (natural keys, stable order)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Fixtures folder (default: settings.KB_FIXTURES_DIR).")

    def handle(self, *args, dir=None, **options):
        exported = kb.export(dir)
        if not options["verbosity"]:
            return
        for file in exported:
            mark = "changed" if file.changed else "       "
            self.stdout.write(f"{mark} {file.records:5d}  {file.path}")
        changed = [file for file in exported if file.changed]
        if not changed:
            self.stdout.write("No file changed: the files already held the database's records.")
            return
        self.stdout.write(self.style.SUCCESS(f"{len(changed)} file(s) changed."))
        if kb.is_fixtures_dir(dir or settings.KB_FIXTURES_DIR):
            self.stdout.write(
                self.style.WARNING(
                    f"The data changed: bump fixtures/VERSION (now {kb.data_version()}) and "
                    "say what changed in fixtures/CHANGELOG.md before you commit."
                )
            )
