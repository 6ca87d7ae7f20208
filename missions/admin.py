"""Admin for countries, missions and documents: where editors curate the base records."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from sources.admin import link_inline, register_links

from .models import Country, Document, DocumentCountry, DocumentMission, Mission

PROVENANCE_FIELDSET = (
    "Provenance",
    {"fields": ("source", "section", "footnotes", "editorial_note")},
)


@admin.register(Country)
class CountryAdmin(VersionAdmin):
    list_display = ("iso3", "name", "region")
    list_filter = ("region",)
    search_fields = ("iso3", "name", "region")


@admin.register(Mission)
class MissionAdmin(VersionAdmin):
    list_display = (
        "acronym",
        "name",
        "kind",
        "lead_organization",
        "start_date",
        "end_date",
        "source",
    )
    list_filter = ("kind", "lead_organization", "source", "countries__region")
    search_fields = ("acronym", "name", "summary")
    autocomplete_fields = ("countries", "establishing_document")
    fieldsets = (
        (None, {"fields": ("acronym", "name", "kind", "lead_organization", "countries")}),
        ("Mandate", {"fields": ("start_date", "end_date", "establishing_document", "summary")}),
        PROVENANCE_FIELDSET,
    )


@admin.register(Document)
class DocumentAdmin(VersionAdmin):
    list_display = ("title", "symbol", "kind", "date", "year", "source")
    list_filter = ("kind", "source", "year")
    search_fields = ("title", "symbol", "author", "description")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "date"
    fieldsets = (
        (None, {"fields": ("kind", "symbol", "slug", "title", "author", "date", "year")}),
        ("Content", {"fields": ("publication", "description")}),
        PROVENANCE_FIELDSET,
    )
    inlines = [link_inline(DocumentCountry, "country"), link_inline(DocumentMission, "mission")]


register_links(DocumentCountry, DocumentMission)
