"""What every portal list page shares: FilterSet-driven lists with chips and API links.

It imports no app, so the apps may build on it without a dependency cycle, as they build
on Django itself.
"""

from django import forms
from django.apps import apps
from django_filters.views import FilterView


def _labels(field):
    """Value -> label for a field whose widget offers choices (flattening option groups)."""
    labels = {}
    for value, label in getattr(field.widget, "choices", None) or ():
        if isinstance(label, (list, tuple)):
            labels.update({str(v): str(lab) for v, lab in label})
        else:
            labels[str(value)] = str(label)
    return labels


def active_filters(filterset, query):
    """One chip per active filter value, each linking to the list without that value.

    Values may be repeated or comma-separated (``?mission=UNMIL,UNAMSIL``): each is a chip.
    """
    chips = []
    for name, field in filterset.form.fields.items():
        values = [p.strip() for v in query.getlist(name) for p in v.split(",") if p.strip()]
        labels = _labels(field) if values else {}
        for value in values:
            rest = query.copy()
            rest.setlist(name, [v for v in values if v != value])
            rest.pop("page", None)
            chips.append(
                {
                    "label": field.label or name.replace("_", " ").capitalize(),
                    "value": labels.get(value, value),
                    "remove_url": f"?{rest.urlencode()}",
                }
            )
    return chips


# A select offers at most this many keys; past it (a large data set) the filter stays a
# text box for the key, so a list page never renders thousands of options.
MAX_SELECT_CHOICES = 200


def key_choices(model_label, key, label=str):
    """Choices ``(natural key, label)`` of a model for a filter select, read when rendered.

    The model is named by label, so a list may offer keys of an app above its own.
    None when there are too many to offer.
    """

    def choices():
        records = apps.get_model(model_label)._default_manager.all()[: MAX_SELECT_CHOICES + 1]
        if len(records) > MAX_SELECT_CHOICES:
            return None
        return [(getattr(record, key), label(record)) for record in records]

    return choices


def distinct_choices(model_label, field):
    """Choices from the distinct values of a field (regions, lead organizations, years)."""

    def choices():
        model = apps.get_model(model_label)
        values = model._default_manager.order_by(field).values_list(field, flat=True).distinct()
        values = list(values[: MAX_SELECT_CHOICES + 1])
        if len(values) > MAX_SELECT_CHOICES:
            return None
        return [(value, value) for value in values]

    return choices


class ChoiceSelect(forms.Select):
    """A select offering the database's keys, reading repeated values as the API does."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return [p.strip() for v in value for p in str(v).split(",") if p.strip()]
        return super().format_value(value)


def api_links(resource, query=None):
    """The API list URL and its CSV export, carrying the page's filters (not its page)."""
    query = query.copy() if query is not None else None
    if query is not None:
        query.pop("page", None)
    filters = query.urlencode() if query else ""
    url = f"/api/v1/{resource}/"
    return {
        "filter_query": filters,
        "api_url": f"{url}?{filters}" if filters else url,
        "csv_url": f"{url}?format=csv" + (f"&{filters}" if filters else ""),
    }


class ApiLinksMixin:
    """Links a list page to the same list in the API (``api_resource``, e.g. ``"missions"``)."""

    api_resource = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(api_links(self.api_resource, self.request.GET))
        return context


class FilteredListView(ApiLinksMixin, FilterView):
    """A list page filtered by the model's FilterSet (the same one the API uses).

    Subclasses set ``queryset``, ``filterset_class`` and ``api_resource``; the page shows
    the filter form, one removable chip per active value, and links to the API and CSV.
    """

    paginate_by = 25
    template_name_suffix = "_list"
    # Filters whose keys the form offers as a select: name -> (queryset of (key, label)).
    filter_choices = {}

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for name, choices in self.filter_choices.items():
            offered = choices()
            if offered is None:
                continue  # too many keys for a select: the key is typed instead
            field = filterset.form.fields[name]
            field.widget = ChoiceSelect(choices=[("", "Any")] + [(str(k), v) for k, v in offered])
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = context.get("paginator")
        meta = self.filterset_class._meta.model._meta
        context.update(
            what=meta.verbose_name,
            what_plural=meta.verbose_name_plural,
            active_filters=active_filters(self.filterset, self.request.GET),
            result_count=paginator.count if paginator else len(context["object_list"]),
        )
        return context


def group_by(items, key):
    """``[(key, [items...]), ...]`` in order of first appearance (``regroup`` needs sorting)."""
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())
