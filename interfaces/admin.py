"""Admin for the interfaces, their mechanisms, the findings and the questions."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from missions.admin import PROVENANCE_FIELDSET
from sources.admin import link_inline, register_links

from .models import (
    Finding,
    FindingActivity,
    FindingCountry,
    FindingDocument,
    FindingMission,
    IllicitActivity,
    Interface,
    Mechanism,
    Question,
)


class MechanismInline(admin.TabularInline):
    model = Mechanism
    extra = 0


@admin.register(Interface)
class InterfaceAdmin(VersionAdmin):
    list_display = ("number", "title", "slug")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [MechanismInline]


@admin.register(Mechanism)
class MechanismAdmin(VersionAdmin):
    list_display = ("interface", "position", "description")
    list_filter = ("interface",)
    search_fields = ("description",)
    list_select_related = ("interface",)


@admin.register(IllicitActivity)
class IllicitActivityAdmin(VersionAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Finding)
class FindingAdmin(VersionAdmin):
    list_display = ("title", "interface", "section", "footnotes", "source")
    list_filter = ("interface", "source", "section", "missions", "activities")
    search_fields = ("title", "summary", "quotation", "actors", "slug")
    list_select_related = ("interface",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("interface",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "interface",
                    "position",
                    "title",
                    "slug",
                    "summary",
                    "quotation",
                    "actors",
                )
            },
        ),
        (
            PROVENANCE_FIELDSET[0],
            {"fields": ("source", "section", "footnotes", "page", "editorial_note")},
        ),
    )
    # Each link says whether the passage states it or the editors inferred it (and why).
    inlines = [
        link_inline(FindingMission, "mission"),
        link_inline(FindingCountry, "country"),
        link_inline(FindingDocument, "document"),
        link_inline(FindingActivity, "activity"),
    ]


@admin.register(Question)
class QuestionAdmin(VersionAdmin):
    list_display = ("number", "text")
    list_filter = ("interfaces",)
    search_fields = ("text",)
    autocomplete_fields = ("interfaces",)


register_links(FindingMission, FindingCountry, FindingDocument, FindingActivity)
