"""The editors group: the only users who may change the knowledge base."""

from django.contrib.auth.models import Group, Permission

from .kb import KB_APPS

EDITORS_GROUP = "editors"


def editors_group_sync():
    """Create the editors group and give it every model permission of the knowledge base."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=KB_APPS))
    return group


def sync_after_migrate(sender, **kwargs):
    """post_migrate hook: permissions exist only after migrate, so the group is synced then."""
    if sender.label in KB_APPS:
        editors_group_sync()
