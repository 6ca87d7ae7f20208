"""The portal's sources: each text the knowledge base cites, its sections and what cites it."""

from django.db.models import Count
from django.views.generic import DetailView, ListView

from ocpo.history import RecordHistoryView

from .models import Source


def sourced_relations():
    """``[(accessor, model)]``: each kind of record that cites a source, by its relation."""
    return [
        (relation.get_accessor_name(), relation.related_model)
        for relation in Source._meta.related_objects
        if relation.field.name == "source" and hasattr(relation.related_model, "section")
    ]


def citing_counts():
    """``{source slug: {verbose name plural: count}}``, one grouped query per kind of record."""
    counts = {}
    for _, model in sourced_relations():
        rows = model._default_manager.order_by().values_list("source").annotate(n=Count("pk"))
        for slug, n in rows:
            counts.setdefault(slug, {})[model._meta.verbose_name_plural] = n
    return counts


class SourceListView(ListView):
    queryset = Source.objects.annotate(section_count=Count("sections"))
    template_name = "sources/source_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = citing_counts()
        kinds = [model._meta.verbose_name_plural for _, model in sourced_relations()]
        context["rows"] = [
            (source, [(kind, counts.get(source.slug, {}).get(kind, 0)) for kind in kinds])
            for source in context["object_list"]
        ]
        context["kinds"] = kinds
        return context


class SourceDetailView(DetailView):
    queryset = Source.objects.prefetch_related("sections")
    slug_field = "slug"
    template_name = "sources/source_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        citing = []
        for accessor, model in sourced_relations():
            records = getattr(source, accessor).order_by(*model._meta.ordering or ["pk"])
            # What a record's name and page need (an example's measure and place).
            joined = [f.name for f in model._meta.concrete_fields if f.many_to_one]
            records = records.select_related(*[name for name in joined if name != "source"])
            citing.append((model._meta.verbose_name_plural, list(records)))
        context["citing"] = citing
        return context


class SourceHistoryView(RecordHistoryView):
    """The source's versions, each with what it changed."""

    model = Source
    slug_field = "slug"
