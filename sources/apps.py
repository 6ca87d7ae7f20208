from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """Provenance shared by every app: where a fact comes from and on what basis a link stands."""

    name = "sources"
