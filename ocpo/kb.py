"""The knowledge base as a data set: its version, read from ``fixtures/VERSION``."""

from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def data_version():
    """The version researchers cite; changes with every curated release of the fixtures."""
    path = settings.KB_FIXTURES_DIR / "VERSION"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return "unversioned"
