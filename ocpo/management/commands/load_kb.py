"""manage.py load_kb: build the database from the knowledge base files, all or nothing.

What a load may change is one rule (ocpo.kb.load): it creates and updates records from the
files; it never overwrites edits made in the database and not yet exported (unless
--force) and never deletes a record (unless --prune, which lists them and asks first).
"""

from django.core.management.base import BaseCommand, CommandError

from ocpo import kb


class Command(BaseCommand):
    help = (
        "Load the knowledge base from fixtures/ in one transaction (upsert by natural key). "
        "Refuses to overwrite unexported database edits or to delete records unless told to."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="Fixtures folder (default: settings.KB_FIXTURES_DIR).")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete the records the files no longer hold (lists them and asks first).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite changes made in the database (admin, API) and not exported.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what the load would change; change nothing."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an empty database; otherwise say how it differs from the "
            "files and keep it as it is (what `make run` does).",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask before deleting (for scripts; --prune still required).",
        )

    def handle(self, *args, dir=None, **options):
        if options["if_empty"] and not kb.database_is_empty():
            self.keep_database(dir)
            return
        try:
            confirmed = self.confirm_deletions(dir, options)
            plan = kb.load(
                dir,
                prune=options["prune"],
                force=options["force"],
                dry_run=options["dry_run"],
                confirmed_deletions=confirmed,
            )
        except kb.KnowledgeBaseError as error:
            raise CommandError(f"{error}\nNothing was loaded.") from None
        if options["verbosity"]:
            self.report(plan, dry_run=options["dry_run"], pruned=options["prune"])

    def confirm_deletions(self, directory, options):
        """With --prune: name what would be deleted and, unless told not to, ask."""
        if not options["prune"]:
            return None
        plan = kb.make_plan(directory)
        problems = plan.refusals(prune=True, force=options["force"])
        if problems:
            raise kb.KnowledgeBaseError("\n".join(problems))
        if not plan.missing:
            return []
        verb = "Would delete" if options["dry_run"] else "Deletes"
        self.stdout.write(f"{verb} {len(plan.missing)} record(s) the files no longer hold:")
        self.stdout.write(kb.listing(plan.missing))
        if options["interactive"] and not options["dry_run"] and not self.ask("Delete them?"):
            raise CommandError("Nothing was deleted or loaded.")
        return plan.missing

    def ask(self, question):
        try:
            return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
        except EOFError:
            return False

    def keep_database(self, directory):
        """make run: the database holds records (perhaps an editor's): say, never overwrite."""
        try:
            plan = kb.make_plan(directory)
        except kb.KnowledgeBaseError as error:
            self.stderr.write(f"warning: fixtures not read: {error}. The database was kept.")
            return
        if plan.changes_nothing:
            self.stdout.write("The database already holds the knowledge base as the files do.")
            return
        self.stdout.write(
            self.style.WARNING(
                f"The database differs from the files and was kept: {len(plan.create)} to "
                f"create, {len(plan.update)} to update from the files, "
                f"{len(plan.unexported)} changed in the database and not exported, "
                f"{len(plan.missing)} not in the files.\n"
                "`make load` loads the files (it refuses to overwrite unexported edits); "
                "`manage.py export_kb` writes the database's edits to them."
            )
        )
        if plan.unexported:
            self.stdout.write(f"Not exported:\n{kb.listing(plan.unexported)}")

    def report(self, plan, *, dry_run, pruned):
        counts = ", ".join(f"{n} {what}" for what, n in plan.counts(pruned=pruned).items())
        if dry_run:
            self.stdout.write(f"Dry run, nothing changed. The load would give: {counts}.")
            for label, changes in (("create", plan.create), ("update", plan.update)):
                if changes:
                    self.stdout.write(f"Would {label}:\n{kb.listing(changes)}")
            return
        total = sum(len(records) for records in plan.files.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {total} records from {len(plan.files)} files: {counts} "
                f"(knowledge base {kb.data_version()})."
            )
        )
