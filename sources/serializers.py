"""The API's view of links with a basis: which the paper states and which the editors drew."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import LinkBasis

LINK_SCHEMA = {
    "type": "object",
    "properties": {
        "key": {"type": "string", "description": "Natural key of the linked record."},
        "basis": {
            "type": "string",
            "enum": LinkBasis.values,
            "description": "paper: the passage states the link; editors: the editors' inference.",
        },
        "reason": {
            "type": "string",
            "description": "Why the editors drew the link, or where the paper states it.",
        },
    },
    "required": ["key", "basis"],
}


def link_entry(key, basis, reason):
    entry = {"key": key, "basis": basis}
    if reason:
        entry["reason"] = reason
    return entry


class LinksField(serializers.Field):
    """Each link of a record with its basis, by relation: ``{"missions": [{key, basis}]}``.

    ``relations`` maps the API's name of a relation to the record's accessor for its link
    rows (``{"missions": "mission_links"}``); the rows are prefetched with their targets.
    """

    def __init__(self, relations, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)
        self.relations = relations
        extend_schema_field(
            {
                "type": "object",
                "properties": {name: {"type": "array", "items": LINK_SCHEMA} for name in relations},
                "description": kwargs.get("help_text", ""),
            }
        )(self)

    def to_representation(self, value):
        return self.represent(
            {
                name: [
                    (row.target_natural_key, row.basis, row.reason)
                    for row in getattr(value, accessor).all()
                ]
                for name, accessor in self.relations.items()
            }
        )

    def represent(self, links):
        """``{relation: [(key, basis, reason)]}`` as the API gives it; the CSV export reads
        the same triples in bulk (``ocpo.csv_export.Links``)."""
        return {name: [link_entry(*link) for link in rows] for name, rows in links.items()}


class OwnerLinksField(serializers.Field):
    """The links other records hold to this one, with their basis, read-only: the reverse
    of their ``LinksField`` (a finding's ``{"applications": [{key, basis, reason}]}``).

    ``relations`` maps the API's name to ``(accessor of the link rows, the owner's key
    attribute, its JSON type)``: ``{"applications": ("application_links", "pk", "integer")}``.
    """

    def __init__(self, relations, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)
        self.relations = relations
        properties = {
            name: {
                "type": "array",
                "items": {
                    **LINK_SCHEMA,
                    "properties": {
                        **LINK_SCHEMA["properties"],
                        "key": {"type": kind, "description": "Key of the linking record."},
                    },
                },
            }
            for name, (_, _, kind) in relations.items()
        }
        extend_schema_field(
            {"type": "object", "properties": properties, "description": kwargs.get("help_text", "")}
        )(self)

    def to_representation(self, value):
        return {
            name: [
                link_entry(getattr(getattr(row, row.owner_field), key), row.basis, row.reason)
                for row in getattr(value, accessor).all()
            ]
            for name, (accessor, key, _) in self.relations.items()
        }


@extend_schema_field(LINK_SCHEMA)
class PlaceLinkField(serializers.Field):
    """A foreign key with its basis on the record: ``{key, basis, reason}`` or null."""

    def __init__(self, name, key, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)
        self.name, self.key = name, key

    def to_representation(self, value):
        related = getattr(value, self.name)
        if related is None:
            return None
        return link_entry(
            getattr(related, self.key),
            getattr(value, f"{self.name}_basis"),
            getattr(value, f"{self.name}_reason"),
        )


# A link an editor adds through the API has not been checked against a passage: it is the
# editors' until someone marks it as the paper's (in the admin or the fixtures).
API_LINK_REASON = "Linked through the API; not yet checked against a passage of the paper."


class SourcedLinksWriteMixin:
    """Writes of a model serializer whose many-to-many links carry a basis.

    Links kept from before keep their basis; new ones are the editors' (``API_LINK_REASON``)
    unless the request states a basis (foreign keys with ``<name>_basis`` fields).
    """

    def validate(self, attrs):
        model = self.Meta.model
        names = {f.name for f in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            basis, reason = f"{field.name}_basis", f"{field.name}_reason"
            if not field.many_to_one or basis not in names or field.name not in attrs:
                continue
            target = attrs[field.name]
            if target is None:
                attrs[basis], attrs[reason] = "", ""
            elif basis not in attrs:
                kept = self.instance is not None and getattr(self.instance, field.name) == target
                if not kept:
                    attrs[basis], attrs[reason] = LinkBasis.EDITORS, API_LINK_REASON
        return super().validate(attrs)

    def _sourced_links(self, validated_data):
        model = self.Meta.model
        names = [
            field.name
            for field in model._meta.many_to_many
            if hasattr(field.remote_field.through, "owner_field") and field.name in validated_data
        ]
        return {name: validated_data.pop(name) for name in names}

    def _set_links(self, instance, links):
        defaults = {"basis": LinkBasis.EDITORS, "reason": API_LINK_REASON}
        for name, values in links.items():
            getattr(instance, name).set(values, through_defaults=defaults)

    def create(self, validated_data):
        links = self._sourced_links(validated_data)
        instance = super().create(validated_data)
        self._set_links(instance, links)
        return instance

    def update(self, instance, validated_data):
        links = self._sourced_links(validated_data)
        instance = super().update(instance, validated_data)
        self._set_links(instance, links)
        return instance
