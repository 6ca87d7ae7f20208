from django.apps import AppConfig


class OcpoConfig(AppConfig):
    """The project package: cross-app pages, the API wiring and the knowledge-base commands."""

    name = "ocpo"
    verbose_name = "ocpo"
