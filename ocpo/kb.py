"""The knowledge base as a data set: its YAML files, their loading, export and version.

The files under ``fixtures/`` are the editors' source of truth. Records are written with
natural keys only (no numeric ids), so a diff of an edit shows only that edit; loading
upserts by natural key, so ids of unchanged records stay put and loading twice is a no-op.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from sources.models import LinkBasis, SourcedLink

PROVENANCE_FIELDS = ("source", "paper_section", "footnotes", "editorial_note")
# The apps whose models make up the knowledge base (editors' permissions, data state).
KB_APPS = ("missions", "interfaces", "measures")


@lru_cache(maxsize=1)
def data_version():
    """The version researchers cite; changes with every curated release of the fixtures."""
    try:
        return (settings.KB_FIXTURES_DIR / "VERSION").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return "unversioned"


class KnowledgeBaseError(Exception):
    """A broken fixture file: the message names the file and the record."""


@dataclass(frozen=True)
class KbFile:
    """One fixture file: the model it holds, its natural key fields and its order."""

    path: str
    model_label: str
    key: tuple[str, ...]
    order: tuple[str, ...]

    @cached_property
    def model(self):
        return apps.get_model(self.model_label)

    @cached_property
    def fields(self):
        """The record's fields: natural key first, provenance last, links as natural keys.

        A foreign key's basis fields (``mission_basis``, ``mission_reason``) are written
        with the link itself, not as fields of their own (see ``link_basis_fields``).
        """
        meta = self.model._meta
        own = [f for f in meta.get_fields() if f.concrete and not f.auto_created]
        own.sort(key=lambda f: f.creation_counter)
        basis_fields = {name for pair in self.link_basis_fields.values() for name in pair}
        own = [f for f in own if f.name not in basis_fields]
        key = [meta.get_field(name) for name in self.key]
        provenance = [f for f in own if f.name in PROVENANCE_FIELDS]
        rest = [f for f in own if f not in key and f not in provenance]
        return key + rest + provenance

    @cached_property
    def link_basis_fields(self):
        """{foreign key name: (basis field, reason field)} for foreign keys with a basis."""
        names = {f.name for f in self.model._meta.get_fields() if f.concrete}
        return {
            f.name: (f"{f.name}_basis", f"{f.name}_reason")
            for f in self.model._meta.get_fields()
            if f.many_to_one and f"{f.name}_basis" in names and f"{f.name}_reason" in names
        }


def sourced_through(field):
    """The through model of a many-to-many link with a basis, else None."""
    through = field.remote_field.through
    return through if isinstance(through, type) and issubclass(through, SourcedLink) else None


def link_item(key, basis, reason):
    """A link as the fixtures write it: a bare key when the paper states it, else a mapping."""
    if basis == LinkBasis.PAPER and not reason:
        return key
    item = {"key": key, "basis": basis}
    if reason:
        item["reason"] = reason
    return item


def parse_link_item(where, field_name, item):
    """``(key, basis, reason)`` of a link as written in a file; a bare key is the paper's."""
    if not isinstance(item, dict):
        return item, LinkBasis.PAPER, ""
    unknown = sorted(set(item) - {"key", "basis", "reason"})
    if unknown:
        raise KnowledgeBaseError(f"{where}: {field_name}: unknown link field(s) {unknown}")
    key = item.get("key")
    if key in (None, ""):
        raise KnowledgeBaseError(f"{where}: {field_name}: a link written as a mapping needs a key")
    basis = item.get("basis")
    if basis not in LinkBasis.values:
        raise KnowledgeBaseError(
            f"{where}: {field_name}: link {key!r} has no valid basis "
            f"(one of {', '.join(LinkBasis.values)}; a bare key is the paper's)"
        )
    reason = item.get("reason") or ""
    if not isinstance(reason, str):
        raise KnowledgeBaseError(f"{where}: {field_name}: link {key!r}: reason must be text")
    if basis == LinkBasis.EDITORS and not reason.strip():
        raise KnowledgeBaseError(
            f"{where}: {field_name}: link {key!r} is the editors' and must give a reason"
        )
    return key, basis, reason


# In load order: every file only links to files above it, except many-to-many links,
# which are set once every record exists.
FILES = (
    KbFile("missions/countries.yaml", "missions.Country", ("iso3",), ("name",)),
    KbFile("missions/documents.yaml", "missions.Document", ("slug",), ("year", "date", "slug")),
    KbFile("missions/missions.yaml", "missions.Mission", ("acronym",), ("acronym",)),
    KbFile("interfaces/activities.yaml", "interfaces.IllicitActivity", ("slug",), ("name",)),
    KbFile("interfaces/interfaces.yaml", "interfaces.Interface", ("slug",), ("number",)),
    KbFile(
        "interfaces/mechanisms.yaml",
        "interfaces.Mechanism",
        ("interface", "position"),
        ("interface.number", "position"),
    ),
    KbFile(
        "interfaces/findings.yaml",
        "interfaces.Finding",
        ("slug",),
        ("interface.number", "position", "slug"),
    ),
    KbFile("interfaces/questions.yaml", "interfaces.Question", ("slug",), ("number",)),
    KbFile("measures/areas.yaml", "measures.ActivityArea", ("slug",), ("number",)),
    KbFile("measures/measures.yaml", "measures.Measure", ("slug",), ("area.number", "position")),
    KbFile(
        "measures/applications.yaml",
        "measures.MeasureApplication",
        ("measure", "position"),
        ("measure.area.number", "measure.position", "position"),
    ),
    KbFile("measures/police_functions.yaml", "measures.PoliceFunction", ("slug",), ("position",)),
)


def _natural_key_value(obj):
    key = obj.natural_key()
    return key[0] if len(key) == 1 else list(key)


def _is_default(field, value):
    if field.many_to_many:
        return not value
    if value is None or value == "":
        return field.blank or field.null
    return field.has_default() and value == field.get_default()


def _sort_value(obj, path):
    for name in path.split("."):
        obj = getattr(obj, name)
    # NULL dates sort first, as the models order them.
    return (obj is not None, obj if obj is not None else 0)


# ---------------------------------------------------------------------------- export


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line text as literal blocks so edits diff line by line."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def serialize(spec, obj):
    """One record as the mapping written to its file."""
    record = {}
    for field in spec.fields:
        if field.many_to_many:
            through = sourced_through(field)
            rows = {}
            if through is not None:
                owner_link = through._meta.get_field(through.owner_field).remote_field
                rows = {
                    getattr(row, f"{through.target_field}_id"): row
                    for row in getattr(obj, owner_link.get_accessor_name()).all()
                }
            value = []
            for related in getattr(obj, field.name).all():
                row = rows.get(related.pk)
                key = _natural_key_value(related)
                value.append(link_item(key, row.basis, row.reason) if row else key)
        elif field.many_to_one:
            related = getattr(obj, field.name)
            value = _natural_key_value(related) if related is not None else None
            if related is not None and field.name in spec.link_basis_fields:
                basis_name, reason_name = spec.link_basis_fields[field.name]
                value = link_item(value, getattr(obj, basis_name), getattr(obj, reason_name))
        else:
            value = getattr(obj, field.attname)
        if not _is_default(field, value):
            record[field.name] = value
    return record


def dump_records(records):
    return yaml.dump(
        records, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=float("inf")
    )


def export(directory=None):
    """Write every model's records to its file; returns {path: record count}."""
    directory = Path(directory or settings.KB_FIXTURES_DIR)
    counts = {}
    for spec in FILES:
        fields = spec.fields
        link_rows = [
            through._meta.get_field(through.owner_field).remote_field.get_accessor_name()
            for through in map(sourced_through, [f for f in fields if f.many_to_many])
            if through is not None
        ]
        queryset = spec.model.objects.select_related(
            *[f.name for f in fields if f.many_to_one]
        ).prefetch_related(*[f.name for f in fields if f.many_to_many], *link_rows)
        objects = sorted(
            queryset,
            key=lambda obj, spec=spec: [_sort_value(obj, path) for path in spec.order],
        )
        records = [serialize(spec, obj) for obj in objects]
        target = directory / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_records(records), encoding="utf-8")
        counts[spec.path] = len(records)
    return counts


# ------------------------------------------------------------------------------ load

# libyaml's loader where PyYAML was built with it: ten times faster than the pure one.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_records(directory, spec):
    """The records of one file, or a KnowledgeBaseError naming the file."""
    path = Path(directory) / spec.path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeBaseError(f"{spec.path}: file is missing") from None
    try:
        records = yaml.load(text, Loader=_YamlLoader)
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{spec.path}: not valid YAML: {error}") from None
    if records is None:
        return []
    if not isinstance(records, list):
        raise KnowledgeBaseError(f"{spec.path}: must be a list of records")
    return records


class _Loader:
    """Upserts the records of every file, then sets the many-to-many links.

    Records are matched by natural key through one in-memory index per model, and
    constraints are left to the database (which names them), so a load runs a few
    queries per record rather than one per constraint.
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        self.kept = {}
        self.links = []
        self.indexes = {}

    def index(self, model):
        """{natural key: record} for every record of ``model`` in the database."""
        if model not in self.indexes:
            spec = next(spec for spec in FILES if spec.model is model)
            related = [name for name in spec.key if model._meta.get_field(name).many_to_one]
            self.indexes[model] = {
                tuple(obj.natural_key()): obj for obj in model.objects.select_related(*related)
            }
        return self.indexes[model]

    def run(self):
        for spec in FILES:
            self.kept[spec] = set()
            for index, record in enumerate(read_records(self.directory, spec), start=1):
                self.load_record(spec, index, record)
        for where, obj, field, values in self.links:
            if sourced_through(field) is not None:
                self.set_sourced_links(where, obj, field, values)
                continue
            related = [self.resolve(where, field, value) for value in values]
            getattr(obj, field.name).set(related)
        self.delete_missing()
        return {spec.path: len(self.kept[spec]) for spec in FILES}

    def load_record(self, spec, index, record):
        where = f"{spec.path}, record {index}"
        if not isinstance(record, dict):
            raise KnowledgeBaseError(f"{where}: must be a mapping of field names to values")
        missing_key = [name for name in spec.key if record.get(name) in (None, "")]
        if missing_key:
            raise KnowledgeBaseError(f"{where}: missing natural key field(s) {missing_key}")
        key = self.natural_key(where, spec, record)
        where = f"{spec.path}, record {index} ({', '.join(map(str, key))})"
        unknown = sorted(set(record) - {field.name for field in spec.fields})
        if unknown:
            raise KnowledgeBaseError(f"{where}: unknown field(s) {unknown}")

        obj = self.index(spec.model).get(key) or spec.model()
        if obj.pk is not None and obj.pk in self.kept[spec]:
            raise KnowledgeBaseError(f"{where}: duplicate key: this record is already in the file")
        links = []
        for field in spec.fields:
            value = record.get(field.name)
            if field.many_to_many:
                if value is not None and not isinstance(value, list):
                    raise KnowledgeBaseError(f"{where}: {field.name}: must be a list of keys")
                links.append((where, obj, field, value or []))
            elif field.many_to_one:
                if field.name in spec.link_basis_fields:
                    value = self.set_link_basis(where, spec, obj, field, value)
                setattr(obj, field.name, self.resolve(where, field, value))
            else:
                setattr(obj, field.attname, self.convert(where, field, value))
        try:
            # Field checks (required, choices, lengths, formats) here; uniqueness and
            # check constraints in the database, which rejects the record by name.
            obj.full_clean(validate_unique=False, validate_constraints=False)
            with transaction.atomic():
                obj.save()
        except ValidationError as error:
            raise KnowledgeBaseError(f"{where}: {_describe(error)}") from None
        except DatabaseError as error:
            raise KnowledgeBaseError(f"{where}: rejected by the database: {error}") from None
        self.kept[spec].add(obj.pk)
        self.index(spec.model)[key] = obj
        self.links.extend(links)

    @staticmethod
    def set_link_basis(where, spec, obj, field, value):
        """Set a foreign key's basis and reason from its item; returns the bare key."""
        basis_name, reason_name = spec.link_basis_fields[field.name]
        if value in (None, ""):
            setattr(obj, basis_name, "")
            setattr(obj, reason_name, "")
            return value
        key, basis, reason = parse_link_item(where, field.name, value)
        setattr(obj, basis_name, basis)
        setattr(obj, reason_name, reason)
        return key

    def set_sourced_links(self, where, obj, field, values):
        """Make ``obj``'s link rows match the file: same targets, bases and reasons.

        Unchanged rows are left alone, so loading the same files twice writes nothing.
        """
        through = sourced_through(field)
        wanted = {}
        for value in values:
            key, basis, reason = parse_link_item(where, field.name, value)
            related = self.resolve(where, field, key)
            if related.pk in wanted:
                raise KnowledgeBaseError(f"{where}: {field.name}: {key!r} is linked twice")
            wanted[related.pk] = (basis, reason)
        target_id = f"{through.target_field}_id"
        existing = {
            getattr(row, target_id): row
            for row in through.objects.filter(**{through.owner_field: obj})
        }
        gone = [row.pk for pk, row in existing.items() if pk not in wanted]
        if gone:
            through.objects.filter(pk__in=gone).delete()
        changed, new = [], []
        for pk, (basis, reason) in wanted.items():
            row = existing.get(pk)
            if row is None:
                new.append(
                    through(
                        **{through.owner_field: obj, target_id: pk},
                        basis=basis,
                        reason=reason,
                    )
                )
            elif (row.basis, row.reason) != (basis, reason):
                row.basis, row.reason = basis, reason
                changed.append(row)
        try:
            with transaction.atomic():
                if changed:
                    through.objects.bulk_update(changed, ["basis", "reason"])
                if new:
                    through.objects.bulk_create(new)
        except DatabaseError as error:
            raise KnowledgeBaseError(
                f"{where}: {field.name}: rejected by the database: {error}"
            ) from None

    def natural_key(self, where, spec, record):
        key = []
        for name in spec.key:
            field = spec.model._meta.get_field(name)
            value = record[name]
            key.append(value if field.many_to_one else self.convert(where, field, value))
        return tuple(key)

    def resolve(self, where, field, value):
        if value in (None, ""):
            return None
        key = tuple(value) if isinstance(value, list) else (value,)
        try:
            return self.index(field.related_model)[key]
        except (KeyError, TypeError):
            raise KnowledgeBaseError(
                f"{where}: {field.name}: no {field.related_model._meta.verbose_name} "
                f"with key {value!r}"
            ) from None

    @staticmethod
    def convert(where, field, value):
        if value is None:
            if field.has_default():
                return field.get_default()
            return None if field.null else ("" if field.blank else None)
        if isinstance(field, models.DateField) and not isinstance(value, datetime.date):
            value = str(value)
        try:
            return field.to_python(value)
        except ValidationError as error:
            raise KnowledgeBaseError(f"{where}: {field.name}: {_describe(error)}") from None

    def delete_missing(self):
        """Records no longer in the files go, children before parents."""
        for spec in reversed(FILES):
            try:
                spec.model.objects.exclude(pk__in=self.kept[spec]).delete()
            except (ProtectedError, RestrictedError) as error:
                raise KnowledgeBaseError(
                    f"{spec.path}: cannot remove records still linked elsewhere: {error}"
                ) from None


def _describe(error):
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
    return " ".join(error.messages)


def load(directory=None):
    """Load every file in one transaction: all of it, or (on any error) none of it."""
    with transaction.atomic():
        return _Loader(directory or settings.KB_FIXTURES_DIR).run()
