"""``/changes.atom``: the changes feed (``/api/v1/changes/``) as Atom, for feed readers.

The newest entries first, at most ``ChangesFeed.LATEST``; ``?since=`` narrows it as in the
API. A mirror should page through the API instead: the feed keeps only the latest.
"""

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import changes
from .filters import MomentField


def since(request):
    """The ``since`` moment of the request (None when not given); ValidationError if unreadable."""
    return MomentField(required=False).clean(request.GET.get("since", ""))


VERBS = {
    changes.CREATED: "created",
    changes.MODIFIED: "changed",
    changes.DELETED: "deleted",
}


class ChangesFeed(Feed):
    """Records created, changed and deleted, newest first (the same entries as the API)."""

    feed_type = Atom1Feed
    title = "Organized crime and peace operations: changes to the knowledge base"
    subtitle = (
        "Records created, changed and deleted, newest first. Deleted records link to the "
        "changes API at the moment of their deletion."
    )
    LATEST = 100

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: nothing of a request is kept on it.
        try:
            since(request)
        except ValidationError as error:
            message = f"since: {' '.join(error.messages)} Leave it out for the latest changes."
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return super().__call__(request, *args, **kwargs)

    def link(self):
        return reverse("api:changes")

    def feed_url(self):
        return reverse("changes_atom")

    def get_object(self, request, *args, **kwargs):
        return request

    def items(self, request):
        rows = changes.entries(since(request)).reverse()[: self.LATEST]
        feed = request.build_absolute_uri(reverse("api:changes"))
        return [{**changes.entry(row, request.build_absolute_uri), "feed": feed} for row in rows]

    def item_title(self, item):
        return f"{item['resource']} {item['key']} {VERBS[item['kind']]}"

    def item_description(self, item):
        if item["kind"] == changes.DELETED:
            return (
                f"Deleted from {item['resource']} (data version {item['data_version']}): "
                "a mirror removes its copy."
            )
        return f"{VERBS[item['kind']].capitalize()}: read it again at {item['url']}."

    def item_link(self, item):
        if item["html_url"]:
            return item["html_url"]
        moment = item["time"].isoformat().replace("+00:00", "Z")
        return f"{item['feed']}?since={moment}"

    def item_guid(self, item):
        stamp = item["time"].isoformat()
        return f"{item['feed']}#{item['resource']}/{item['key']}/{item['kind']}/{stamp}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item["time"]

    def item_pubdate(self, item):
        return item["time"]

    def item_categories(self, item):
        return [item["kind"], item["resource"]]
