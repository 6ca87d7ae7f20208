"""Every record can be cited from where it is read: a ``cite`` link in each API detail
(and in the schema), a "Cite this" block in the body of each record page. Generated from
the router and the URL configuration, so a new resource or page is covered."""

import json
import re

import pytest
from django.urls import reverse

from ocpo.api import router
from tests.routes import model_of, routes, url_for

pytestmark = pytest.mark.django_db


def detail_urls():
    """``(prefix, API detail URL)`` of the first record of every resource."""
    urls = []
    for prefix, viewset, basename in router.registry:
        record = viewset.queryset.model.objects.order_by("pk").first()
        assert record is not None, prefix
        key = getattr(record, viewset.lookup_field)
        urls.append((prefix, reverse(f"api:{basename}-detail", args=[key])))
    return urls


def test_every_api_detail_links_its_citation(client, kb):
    for prefix, url in detail_urls():
        body = client.get(url).json()
        assert body["cite"] == f"http://testserver{url}cite/", prefix
        item = json.loads(client.get(body["cite"]).content)[0]
        # The citation names this record: its permanent URL leads to the record's page.
        assert item["URL"].endswith(body["html_url"].removeprefix("http://testserver")), prefix


def test_the_schema_documents_the_cite_link_of_every_detail(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    for prefix, viewset, _ in router.registry:
        lookup = viewset.lookup_field if viewset.lookup_field != "pk" else "id"
        operation = schema["paths"][f"/api/v1/{prefix}/{{{lookup}}}/"]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        properties = components[ref.rsplit("/", 1)[1]]["properties"]
        assert properties["cite"]["format"] == "uri", prefix
        assert "style" in properties["cite"]["description"], prefix


def record_pages():
    """Each portal page that shows one record (a route with keywords, outside the API)."""
    pages = []
    for name, pattern in routes():
        if name.startswith("api:"):
            continue
        model = model_of(pattern)
        if model is not None:
            pages.append((name, model, url_for(name, pattern)))
    return pages


def test_every_record_page_offers_cite_this_in_its_body(client, kb):
    prefixes = {viewset.queryset.model: prefix for prefix, viewset, _ in router.registry}
    pages = record_pages()
    assert len(pages) >= 6
    for name, model, url in pages:
        html = client.get(url).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        aside = re.search(r'<aside class="cite-this"[^>]*>(.*?)</aside>', main, re.S)
        assert aside, name
        assert "Cite this " in aside.group(1), name
        links = re.findall(r'href="([^"]+)"', aside.group(1))
        assert len(links) == 5, name
        assert all(f"/api/v1/{prefixes[model]}/" in link for link in links), (name, links)
        for link in links:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, link
