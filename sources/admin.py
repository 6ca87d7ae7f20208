"""Admin building blocks for links with a basis: one tabular inline per through model."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from .models import Source, SourceSection


def link_inline(through, target, **options):
    """An inline editing ``through`` rows: the linked record, its basis and the editors' reason."""
    target_name = through._meta.get_field(target).related_model._meta.verbose_name
    attrs = {
        "model": through,
        "extra": 0,
        "fields": (target, "basis", "reason"),
        "autocomplete_fields": (target,),
        "verbose_name": f"link to a {target_name}",
        **options,
    }
    return type(f"{through.__name__}Inline", (admin.TabularInline,), attrs)


def register_links(*throughs):
    """Each link model in the admin: editors review the links by basis, across records."""
    for through in throughs:
        owner, target = through.owner_field, through.target_field
        attrs = {
            "list_display": (owner, target, "basis", "reason"),
            "list_filter": ("basis",),
            "list_select_related": (owner, target),
            "search_fields": (
                f"{owner}__{through.owner_keys()[0]}",
                f"{target}__{through.target_key}",
                "reason",
            ),
            "autocomplete_fields": (owner, target),
        }
        admin.site.register(through, type(f"{through.__name__}Admin", (VersionAdmin,), attrs))


class SourceSectionInline(admin.TabularInline):
    model = SourceSection
    extra = 0
    fields = ("position", "code", "title", "pages")


@admin.register(Source)
class SourceAdmin(VersionAdmin):
    list_display = ("slug", "title", "authors", "year", "text_path")
    search_fields = ("slug", "title", "authors", "publisher")
    inlines = [SourceSectionInline]


@admin.register(SourceSection)
class SourceSectionAdmin(VersionAdmin):
    """Sections are picked by autocomplete on every record's provenance."""

    list_display = ("source", "code", "title", "pages")
    list_filter = ("source",)
    search_fields = ("code", "title", "source__slug")
    list_select_related = ("source",)
