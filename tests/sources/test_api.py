"""API v1 for sources."""

import pytest
from django.contrib.auth.models import Group, User

from interfaces.models import Finding
from sources.models import Source
from tests.api_cases import APICases

from .cases import SOURCE


class TestSourceAPI(APICases):
    case = SOURCE


@pytest.mark.django_db
def test_a_cited_sources_slug_cannot_change(client, kb):
    """Records cite a source by its slug: renaming it would orphan them (a 500 before)."""
    editor = User.objects.create_user("source.editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="editors"))
    client.force_login(editor)
    response = client.patch(
        "/api/v1/sources/paper/", {"slug": "the-paper"}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["name"] == "slug"
    assert Source.objects.filter(slug="paper").exists()
    assert Finding.objects.filter(source="paper").count() == 52
