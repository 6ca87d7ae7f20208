"""Admin for the Annex table (areas, measures, applications) and Box 2."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from sources.admin import link_inline, register_links

from .models import (
    ActivityArea,
    ApplicationFinding,
    Measure,
    MeasureApplication,
    PoliceFunction,
    PoliceFunctionFinding,
)


class MeasureInline(admin.TabularInline):
    model = Measure
    fields = ("position", "name", "slug")
    extra = 0
    show_change_link = True


class MeasureApplicationInline(admin.TabularInline):
    model = MeasureApplication
    fields = (
        "position",
        "mission",
        "mission_basis",
        "mission_reason",
        "country",
        "country_basis",
        "country_reason",
        "label",
        "all_missions",
        "source",
        "section",
        "editorial_note",
    )
    autocomplete_fields = ("mission", "country")
    extra = 0


@admin.register(ActivityArea)
class ActivityAreaAdmin(VersionAdmin):
    list_display = ("number", "name")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(VersionAdmin):
    list_display = ("name", "area", "position")
    list_filter = ("area", "interfaces")
    search_fields = ("name", "description", "slug")
    list_select_related = ("area",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("area", "interfaces")
    inlines = [MeasureApplicationInline]


@admin.register(MeasureApplication)
class MeasureApplicationAdmin(VersionAdmin):
    list_display = ("measure", "position", "mission", "country", "label", "all_missions", "source")
    list_filter = ("all_missions", "source", "mission", "measure__area")
    search_fields = ("label", "note", "measure__name", "mission__acronym", "country__name")
    list_select_related = ("measure", "mission", "country")
    autocomplete_fields = ("measure", "mission", "country")
    # The findings that repeat the example, each link with its basis.
    inlines = [link_inline(ApplicationFinding, "finding")]


@admin.register(PoliceFunction)
class PoliceFunctionAdmin(VersionAdmin):
    list_display = ("position", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("measures",)
    inlines = [link_inline(PoliceFunctionFinding, "finding")]


register_links(ApplicationFinding, PoliceFunctionFinding)
