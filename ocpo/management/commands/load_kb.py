"""manage.py load_kb: build the database from the knowledge base files, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from ocpo import kb


class Command(BaseCommand):
    help = "Load the knowledge base from fixtures/ in one transaction (upsert by natural key)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Fixtures folder (default: settings.KB_FIXTURES_DIR).")

    def handle(self, *args, dir=None, **options):
        try:
            counts = kb.load(dir)
        except kb.KnowledgeBaseError as error:
            raise CommandError(f"{error}. Nothing was loaded.") from None
        if options["verbosity"]:
            total = sum(counts.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {total} records from {len(counts)} files "
                    f"(knowledge base {kb.data_version()})."
                )
            )
