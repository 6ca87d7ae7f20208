"""Admin building blocks for links with a basis: one tabular inline per through model."""

from django.contrib import admin


def link_inline(through, target, **options):
    """An inline editing ``through`` rows: the linked record, its basis and the editors' reason."""
    attrs = {
        "model": through,
        "extra": 0,
        "fields": (target, "basis", "reason"),
        "autocomplete_fields": (target,),
        "verbose_name": f"link to a {through._meta.get_field(target).related_model._meta.verbose_name}",
        **options,
    }
    return type(f"{through.__name__}Inline", (admin.TabularInline,), attrs)
