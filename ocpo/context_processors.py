"""Template context shared by every portal page."""

from .kb import data_version


def knowledge_base(request):
    return {"data_version": data_version()}
