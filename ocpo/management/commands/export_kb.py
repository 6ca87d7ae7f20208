"""manage.py export_kb: write the database back to the knowledge base files."""

from django.core.management.base import BaseCommand

from ocpo import kb


class Command(BaseCommand):
    help = "Write every knowledge-base record to fixtures/ (natural keys, stable order)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Fixtures folder (default: settings.KB_FIXTURES_DIR).")

    def handle(self, *args, dir=None, **options):
        counts = kb.export(dir)
        if options["verbosity"]:
            for path, count in counts.items():
                self.stdout.write(f"{count:5d}  {path}")
