"""What every portal list page shares: FilterSet-driven lists with chips and API links.

It imports no app, so the apps may build on it without a dependency cycle, as they build
on Django itself.
"""

from django import forms
from django.apps import apps
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join
from django_filters.views import FilterView

from .facets import FACET_SIZE, facet_counts, facet_names, twin_of
from .filters import ALL_SUFFIX, MultiValueWidget


def active_filters(filterset, query, path=""):
    """One chip per active filter value, each linking to the list without that value.

    Values may be repeated or comma-separated (``?mission=UNMIL,UNAMSIL``): each is a chip,
    labelled as the form's select labels it whatever spelling was given (``?interface=2``).
    """
    chips = []
    for name, field in filterset.form.fields.items():
        values = split_values(query.getlist(name))
        widget = field.widget
        for value in values:
            rest = query.copy()
            rest.setlist(name, [v for v in values if v != value])
            rest.pop("page", None)
            key = widget.canonical(value) if isinstance(widget, KeySelect) else value
            label = widget.label_of(key) if isinstance(widget, KeySelect) else value
            chips.append(
                {
                    "label": field.label or name.replace("_", " ").capitalize(),
                    "value": label,
                    "remove_url": f"{path}?{rest.urlencode()}" if rest else (path or "?"),
                }
            )
    return chips


def split_values(values):
    """Every value of a parameter given repeated and/or comma-separated, as the API reads it."""
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


# A select offers at most this many keys; past it (a large data set) the filter stays a
# text box for the key, so a list page never renders thousands of options.
MAX_SELECT_CHOICES = 200


def key_choices(model_label, key, label=str):
    """Choices ``(natural key, label, record)`` of a model for a filter select, read when
    rendered; the record lets the select also recognise other spellings (a number).

    The model is named by label, so a list may offer keys of an app above its own.
    None when there are too many to offer.
    """

    def choices():
        records = apps.get_model(model_label)._default_manager.all()[: MAX_SELECT_CHOICES + 1]
        if len(records) > MAX_SELECT_CHOICES:
            return None
        return [(getattr(record, key), label(record), record) for record in records]

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


class KeySelect(forms.SelectMultiple):
    """A multiple select of the database's keys showing exactly the values in force.

    The API accepts a key in any case, an interface by number, and several values repeated
    or comma-separated; this widget maps each spelling to its option (``aliases``: spelling
    folded to lower case -> key), so the form shows what filters the list and submitting
    it unchanged gives the same list. A value matching no key stays selected, as an option
    saying it matches nothing, so the form never silently drops it.
    """

    def __init__(self, choices, aliases=None, noun="value"):
        super().__init__(attrs={"size": min(max(len(choices), 2), 6)}, choices=choices)
        self.aliases = {str(key).casefold(): str(key) for key, _ in choices}
        self.aliases.update(aliases or {})
        self.labels = {str(key): str(label) for key, label in choices}
        self.noun = noun
        # {key: records}, from the list's facet (``ocpo.facets``); None: not counted.
        self.counts = None

    def canonical(self, value):
        """The option a spelling stands for, or the value itself when it matches none."""
        folded = value.casefold()
        if folded in self.aliases:
            return self.aliases[folded]
        if value.isascii() and value.isdigit():  # 02012 is the year 2012, as int() reads it
            return self.aliases.get(str(int(value)), value)
        return value

    def unknown(self, values):
        return [v for v in dict.fromkeys(self.canonical(v) for v in values) if v not in self.labels]

    def label_of(self, key):
        return self.labels.get(key, key)

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        return list(dict.fromkeys(self.canonical(v) for v in split_values(value)))

    def optgroups(self, name, value, attrs=None):
        offered = self.choices
        if self.counts is not None:
            offered = [
                (key, counted(label, self.counts.get(str(key), 0))) for key, label in offered
            ]
        missing = [(v, f"{v} (no such {self.noun})") for v in value if v not in self.labels]
        original, self.choices = self.choices, [*offered, *missing]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = original


class KeyInput(MultiValueWidget):
    """The text box of a key filter with too many keys for a select, suggesting the most
    frequent ones with their counts in a ``<datalist>`` (the browser's own, no script)."""

    def __init__(self, values, attrs=None):
        super().__init__(attrs)
        self.values = values  # [FacetValue], most frequent first

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-values"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((v.value, counted(v.label, v.count)) for v in self.values),
        )
        return html + format_html('<datalist id="{}">{}</datalist>', list_id, options)


def counted(label, count):
    """An option's label after the number of records it would give: ``(3) Haiti``; first, so
    that a long label cut at the select's edge (a phone, a narrow column) keeps its count."""
    return f"({count}) {label}"


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

    def get(self, request, *args, **kwargs):
        """A form submits its empty fields too (``?symbol=&year=``): answer with the same
        list at the address without them, so the URLs people share carry only filters."""
        query = request.GET
        if any(not value.strip() for _, values in query.lists() for value in values):
            kept = query.copy()
            for key, values in query.lists():
                kept.setlist(key, [value for value in values if value.strip()])
                if not kept.getlist(key):
                    del kept[key]
            return redirect(f"{request.path}?{kept.urlencode()}" if kept else request.path)
        return super().get(request, *args, **kwargs)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for name, choices in self.filter_choices.items():
            offered = choices()
            if offered is None:
                continue  # too many keys for a select: the key is typed instead
            filter_ = filterset.filters[name]
            number = getattr(filter_, "number_path", None)
            aliases = {}
            if number:  # an interface by number: the number of the record offered
                field = number.rsplit("__", 1)[-1]
                aliases = {str(getattr(c[2], field)): str(c[0]) for c in offered}
            # The filter and its "all of" twin (``mission__all``) offer the same keys.
            for shown in (name, f"{name}{ALL_SUFFIX}"):
                if shown not in filterset.form.fields:
                    continue
                field = filterset.form.fields[shown]
                field.widget = KeySelect(
                    [(str(c[0]), c[1]) for c in offered],
                    aliases,
                    noun=(filterset.form.fields[name].label or name).lower(),
                )
        return filterset

    def count_options(self, filterset):
        """Puts beside each option of the form the number of records it would give, under
        the other filters in force (``ocpo.facets``): one query per facet of the FilterSet,
        whatever the data size; a key typed in a text box (too many for a select) is
        suggested from its most frequent values. A form with errors shows no counts (the
        list itself says what is wrong)."""
        if filterset.is_bound and not filterset.is_valid():
            return
        fields = filterset.form.fields
        facets = facet_counts(filterset, facet_names(type(filterset)), size=MAX_SELECT_CHOICES)
        for name, field in fields.items():
            facet = facets.get(twin_of(name))
            if facet is None:
                continue
            counts = facet.counts()
            if isinstance(field.widget, KeySelect):
                # Past the facet's bound a key's count is unknown: no counts rather than 0.
                field.widget.counts = counts if not facet.other_values else None
            elif isinstance(field.widget, MultiValueWidget):  # too many keys for a select
                field.widget = KeyInput(facet.values[:FACET_SIZE], field.widget.attrs)
            elif isinstance(field, forms.ChoiceField):  # basis
                field.choices = [
                    (key, counted(label, counts[key]) if key in counts else label)
                    for key, label in field.choices
                ]

    def unknown_keys(self):
        """Sentences naming each value that matches no record (``No mission “XXXX” exists``)."""
        sentences = []
        for name, field in self.filterset.form.fields.items():
            if isinstance(field.widget, KeySelect):
                for value in field.widget.unknown(split_values(self.request.GET.getlist(name))):
                    sentences.append(f"No {field.widget.noun} “{value}” exists.")
        return sentences

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.count_options(self.filterset)
        paginator = context.get("paginator")
        meta = self.filterset_class._meta.model._meta
        form = self.filterset.form
        all_of = [name for name in form.fields if name.endswith(ALL_SUFFIX)]
        context.update(
            filter_fields=[form[name] for name in form.fields if name not in all_of],
            all_of_fields=[form[name] for name in all_of],
            all_of_in_force=any(name in self.request.GET for name in all_of),
            what=meta.verbose_name,
            what_plural=meta.verbose_name_plural,
            active_filters=active_filters(self.filterset, self.request.GET, self.request.path),
            unknown_keys=self.unknown_keys(),
            result_count=paginator.count if paginator else len(context["object_list"]),
        )
        return context


def group_by(items, key):
    """``[(key, [items...]), ...]`` in order of first appearance (``regroup`` needs sorting)."""
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return list(groups.items())
