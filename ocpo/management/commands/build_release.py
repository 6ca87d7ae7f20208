"""manage.py build_release: the current data version as a versioned Frictionless release."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ocpo import releases


class Command(BaseCommand):
    help = (
        "Write the release of the current data version (fixtures/VERSION) from the database: "
        "a Frictionless Data Package (CSV per table and per link, datapackage.json), the same "
        "data as JSON, the changelog entry, the licence, SHA256SUMS and a zip; and record its "
        "checksums in fixtures/releases.json. The same data gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "var" / "releases"),
            help="Folder for the release (default: var/releases).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if fixtures/releases.json does not match a fresh build.",
        )

    def handle(self, *args, output, check, **options):
        release = releases.build()
        if not releases.release_date(release.version):
            raise CommandError(
                f"fixtures/CHANGELOG.md has no entry '## {release.version} (YYYY-MM-DD)': "
                "add one before building the release."
            )
        if check:
            recorded = {e["version"]: e for e in releases.read_manifest()}.get(release.version)
            if recorded != releases.manifest_entry(release):
                raise CommandError(
                    f"fixtures/releases.json does not match the data of {release.version}: "
                    "the data changed without a new version, or the manifest was not rebuilt "
                    "(manage.py build_release)."
                )
            self.stdout.write(f"{release.name}: the manifest matches the data.")
            return
        folder, archive = release.write(output)
        releases.record_in_manifest(release)
        self.stdout.write(f"Wrote {folder} and {archive}")
        self.stdout.write(
            self.style.SUCCESS(
                release.sha256sums() + f"zip sha256 "
                f"{releases.manifest_entry(release)['zip_sha256']}"
            )
        )
