from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OcpoConfig(AppConfig):
    """The project package: cross-app pages, the API wiring and the knowledge-base commands."""

    name = "ocpo"
    verbose_name = "ocpo"

    def ready(self):
        from .editors import sync_after_migrate

        # Every app's post_migrate, not only ours: permissions are made app by app.
        post_migrate.connect(sync_after_migrate, dispatch_uid="ocpo-editors-group")
