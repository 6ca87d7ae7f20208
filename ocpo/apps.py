from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
)


class OcpoConfig(AppConfig):
    """The project package: cross-app pages, the API wiring and the knowledge-base commands."""

    name = "ocpo"
    verbose_name = "ocpo"

    def ready(self):
        from . import changes as following
        from .datastate import install_tracking
        from .editors import sync_after_migrate
        from .search import add_words_on_save, repair_after_migrate

        # Cached answers follow the tables each write changes (ocpo.datastate).
        connection_created.connect(install_tracking, dispatch_uid="ocpo-data-state")

        # ``modified`` follows links and parts; a deletion leaves a tombstone (ocpo.changes).
        m2m_changed.connect(following.touch_on_link_change, dispatch_uid="ocpo-changes-links")
        post_save.connect(following.touch_on_link_row_save, dispatch_uid="ocpo-changes-link-save")
        post_save.connect(following.mark_raw_write, dispatch_uid="ocpo-changes-raw-write")
        post_delete.connect(
            following.touch_on_link_row_delete, dispatch_uid="ocpo-changes-link-delete"
        )
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                following.touch_whole_on_part_change, dispatch_uid=f"ocpo-changes-part-{name}"
            )
        pre_delete.connect(following.before_record_delete, dispatch_uid="ocpo-changes-delete")
        post_delete.connect(following.leave_tombstone, dispatch_uid="ocpo-changes-tombstone")

        # Every app's post_migrate, not only ours: permissions are made app by app.
        post_migrate.connect(sync_after_migrate, dispatch_uid="ocpo-editors-group")
        # The search vocabulary follows every save; SQLite's index triggers survive migrations.
        post_save.connect(add_words_on_save, dispatch_uid="ocpo-search-words")
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="ocpo-search-triggers")
