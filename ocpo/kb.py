"""The knowledge base as a data set: its YAML files, their loading, export and version.

The files under ``fixtures/`` are the editors' source of truth. Records are written with
natural keys only (no numeric ids), so a diff of an edit shows only that edit; loading
upserts by natural key, so ids of unchanged records stay put and loading twice is a no-op.
"""

import dataclasses
import datetime
import hashlib
import json
import os
import re
import stat
import tempfile
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

from . import revisions
from .models import TIMESTAMP_FIELDS, SyncedRecord

# In this order, after the record's own fields (a finding also has its quotation's page).
PROVENANCE_FIELDS = ("source", "section", "footnotes", "page", "editorial_note")
# The apps whose models make up the knowledge base (editors' permissions, data state).
KB_APPS = ("sources", "missions", "interfaces", "measures")


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
        # Timestamps belong to a database, not to the data: a file never carries them.
        own = [
            f
            for f in meta.get_fields()
            if f.concrete and not f.auto_created and f.name not in TIMESTAMP_FIELDS
        ]
        own.sort(key=lambda f: f.creation_counter)
        basis_fields = {name for pair in self.link_basis_fields.values() for name in pair}
        own = [f for f in own if f.name not in basis_fields]
        key = [meta.get_field(name) for name in self.key]
        provenance = [f for f in own if f.name in PROVENANCE_FIELDS and f not in key]
        provenance.sort(key=lambda f: PROVENANCE_FIELDS.index(f.name))
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
    KbFile("sources/sources.yaml", "sources.Source", ("slug",), ("slug",)),
    KbFile(
        "sources/sections.yaml",
        "sources.SourceSection",
        ("source", "code"),
        ("source.slug", "position"),
    ),
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


def _is_required(field):
    """A field a record must give: no default, and blank not allowed."""
    if field.many_to_many or getattr(field, "generated", False):
        return False
    return not field.blank and not field.has_default()


# ---------------------------------------------------------------------------- export

# The last line of every file. A file cut short (an interrupted export or copy) lacks it,
# so a cut is caught even at a record boundary, where the rest still parses.
END_OF_FILE = "# end of file"

# Characters YAML reads as line breaks (and folds to spaces or newlines) unless they are
# escaped: text holding one is written double-quoted, where each becomes an escape.
_YAML_BREAKS = re.compile("[\r\x85\u2028\u2029]")


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line text as literal blocks so edits diff line by line."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    if _YAML_BREAKS.search(value):
        style = '"'  # escapes them
    elif "\n" in value:
        style = "|"
    else:
        style = None
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


def file_text(records):
    """A fixture file's whole text: the records, then the end-of-file line."""
    return dump_records(records) + END_OF_FILE + "\n"


def _export_queryset(spec):
    fields = spec.fields
    link_rows = [
        through._meta.get_field(through.owner_field).remote_field.get_accessor_name()
        for through in map(sourced_through, [f for f in fields if f.many_to_many])
        if through is not None
    ]
    # The links the records name, and those their order follows (measure.area.number).
    joined = {f.name for f in fields if f.many_to_one}
    joined |= {"__".join(path.split(".")[:-1]) for path in spec.order if "." in path}
    return spec.model.objects.select_related(*sorted(joined)).prefetch_related(
        *[f.name for f in fields if f.many_to_many], *link_rows
    )


def ordered_objects(spec):
    """The file's records as model objects, in the file's order, links prefetched."""
    return sorted(
        _export_queryset(spec),
        key=lambda obj: [_sort_value(obj, path) for path in spec.order],
    )


def _records_in_order(spec):
    """{natural key: record as written} for one file, in the file's order."""
    return {tuple(obj.natural_key()): serialize(spec, obj) for obj in ordered_objects(spec)}


def write_atomically(target, text):
    """Write a temporary file beside ``target`` and rename it into place: a reader (or a
    load) sees the old file or the new one, never half of one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class ExportedFile:
    """One file written by an export: how many records, and whether its bytes changed."""

    path: str
    records: int
    changed: bool


def export(directory=None):
    """Write every model's records to its file (atomically, unchanged files untouched).

    Exporting to the fixtures folder also records each record's state as synced, so a
    later load knows the files hold the database's edits.
    """
    directory = Path(directory or settings.KB_FIXTURES_DIR)
    exported, written = [], {}
    for spec in FILES:
        records = written[spec] = _records_in_order(spec)
        text, target = file_text(list(records.values())), directory / spec.path
        changed = not target.exists() or target.read_bytes() != text.encode("utf-8")
        if changed:
            write_atomically(target, text)
        exported.append(ExportedFile(spec.path, len(records), changed))
    if is_fixtures_dir(directory):
        # What was written, not the database a moment later: an edit saved during the
        # export is not in the files, so it must not count as exported.
        _replace_synced_state(written)
    return exported


def is_fixtures_dir(directory):
    """Whether ``directory`` is the editors' fixtures folder (not a backup or a copy)."""
    return Path(directory).resolve() == Path(settings.KB_FIXTURES_DIR).resolve()


# ------------------------------------------------------------------------------ read

# libyaml's loader where PyYAML was built with it: ten times faster than the pure one.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(directory, spec):
    """A file's text, refused when missing, not UTF-8, empty or cut short."""
    path = Path(directory) / spec.path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeBaseError(f"{spec.path}: file is missing") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise KnowledgeBaseError(
            f"{spec.path}: not UTF-8 text (byte {data[error.start]:#04x} on line {line}); "
            "save the file as UTF-8"
        ) from None
    if not text.strip():
        raise KnowledgeBaseError(f"{spec.path}: file is empty; restore it (git checkout)")
    if text.rstrip("\n").rsplit("\n", 1)[-1] != END_OF_FILE:
        raise KnowledgeBaseError(
            f"{spec.path}: file is cut short: its last line is not {END_OF_FILE!r} (an "
            "interrupted export or copy?). Restore it (git checkout); if it is complete, "
            "add that line at its end"
        )
    return text


def read_records(directory, spec):
    """The records of one file, or a KnowledgeBaseError naming the file."""
    try:
        records = yaml.load(read_text(directory, spec), Loader=_YamlLoader)
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{spec.path}: not valid YAML: {error}") from None
    if records is None:
        return []
    if not isinstance(records, list):
        raise KnowledgeBaseError(f"{spec.path}: must be a list of records")
    return records


@dataclass(frozen=True)
class FileRecord:
    """One record as read from its file, its shape checked, with its natural key."""

    spec: KbFile
    index: int
    data: dict
    key: tuple

    @property
    def where(self):
        return f"{self.spec.path}, record {self.index} ({', '.join(map(str, self.key))})"


def _convert(where, field, value):
    """A file's value as the field's Python value (a missing value as the field's empty)."""
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


def _file_key(where, spec, record):
    key = []
    for name in spec.key:
        field = spec.model._meta.get_field(name)
        value = record[name]
        key.append(value if field.many_to_one else _convert(where, field, value))
    return tuple(key)


def parse_record(spec, index, record):
    """A FileRecord, or a KnowledgeBaseError naming the file, the record and what is wrong."""
    where = f"{spec.path}, record {index}"
    if not isinstance(record, dict):
        raise KnowledgeBaseError(f"{where}: must be a mapping of field names to values")
    missing_key = [name for name in spec.key if record.get(name) in (None, "")]
    if missing_key:
        raise KnowledgeBaseError(f"{where}: missing natural key field(s) {missing_key}")
    entry = FileRecord(spec, index, record, _file_key(where, spec, record))
    unknown = sorted(set(record) - {field.name for field in spec.fields})
    if unknown:
        raise KnowledgeBaseError(f"{entry.where}: unknown field(s) {unknown}")
    # A missing field means "the default", so a required one missing is an error, never
    # a blanking of what the database holds.
    missing = [f.name for f in spec.fields if _is_required(f) and record.get(f.name) in (None, "")]
    if missing:
        raise KnowledgeBaseError(f"{entry.where}: missing required field(s): {', '.join(missing)}")
    for field in spec.fields:
        value = record.get(field.name)
        if field.many_to_many and value is not None and not isinstance(value, list):
            raise KnowledgeBaseError(f"{entry.where}: {field.name}: must be a list of keys")
        # A link's basis is part of the file's content: refused here, loaded or not.
        if value is not None and (
            (field.many_to_many and sourced_through(field) is not None)
            or field.name in spec.link_basis_fields
        ):
            for item in value if field.many_to_many else [value]:
                parse_link_item(entry.where, field.name, item)
    return entry


def read_file_records(directory, spec):
    """{natural key: FileRecord} for one file, refusing a key given twice."""
    entries = {}
    for index, record in enumerate(read_records(directory, spec), start=1):
        entry = parse_record(spec, index, record)
        if entry.key in entries:
            raise KnowledgeBaseError(
                f"{entry.where}: duplicate key: record {entries[entry.key].index} has it too"
            )
        entries[entry.key] = entry
    return entries


# ----------------------------------------------------------------- the database vs the files


def _link_value(value):
    return list(value) if isinstance(value, list | tuple) else [value]


def content_digest(spec, record, where=""):
    """SHA-256 of a record's content in one canonical form (defaults dropped, links as
    sorted keys), equal for a file's record and the database's serialization of it."""
    content = {}
    for field in spec.fields:
        value = record.get(field.name)
        if field.many_to_many:
            value = sorted(json.dumps(v, sort_keys=True, default=str) for v in value or [])
        elif field.many_to_one:
            # A link left at its default (``source: paper``) is the same content as none.
            if value in (None, "") or (field.has_default() and value == field.get_default()):
                value = None
            else:
                value = _link_value(value)
        else:
            value = _convert(where, field, value)
        if not _is_default(field, value):
            content[field.name] = value
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _key_json(key):
    return json.dumps(list(key), default=str)


def database_records(spec):
    """{natural key: object} for every record of one file's model in the database."""
    return {tuple(obj.natural_key()): obj for obj in _export_queryset(spec)}


# Records the migrations create (the paper and the editors as sources, the paper's
# sections), so that records migrated from the time there was one paper point to them:
# a database holding only these is still empty.
MIGRATION_SEEDED = ("sources.Source", "sources.SourceSection")


def database_is_empty():
    return not any(
        spec.model.objects.exists() for spec in FILES if spec.model_label not in MIGRATION_SEEDED
    )


def remember_synced_state():
    """Record every record's current content as the state the fixture files hold."""
    _replace_synced_state(
        {
            spec: {key: serialize(spec, obj) for key, obj in database_records(spec).items()}
            for spec in FILES
        }
    )


def _replace_synced_state(records):
    """Make SyncedRecord hold ``records`` ({spec: {natural key: record}}) and nothing else."""
    rows = [
        SyncedRecord(file=spec.path, key=_key_json(key), digest=content_digest(spec, record))
        for spec, by_key in records.items()
        for key, record in by_key.items()
    ]
    with transaction.atomic():
        SyncedRecord.objects.all().delete()
        SyncedRecord.objects.bulk_create(rows, batch_size=500)


@dataclass(frozen=True)
class Change:
    """One record a load would touch, and why."""

    spec: KbFile
    key: tuple
    reason: str = ""

    def __str__(self):
        name = ", ".join(map(str, self.key))
        return f"{name} ({self.reason})" if self.reason else name


@dataclass
class Plan:
    """What loading the files would do to the database, record by record.

    Three states decide it: the file's record, the database's, and the record as it was
    when last loaded or exported (SyncedRecord). The file wins where the database has not
    changed since; where it has, the change is an edit not yet exported.
    """

    files: dict = dataclasses.field(default_factory=dict)  # spec -> {key: FileRecord}
    database: dict = dataclasses.field(default_factory=dict)  # spec -> {key: object}
    file_digests: dict = dataclasses.field(default_factory=dict)  # spec -> {key: digest}
    database_digests: dict = dataclasses.field(default_factory=dict)  # spec -> {key: digest}
    create: list = dataclasses.field(default_factory=list)
    update: list = dataclasses.field(default_factory=list)
    unchanged: int = 0
    unexported: list = dataclasses.field(default_factory=list)
    missing: list = dataclasses.field(default_factory=list)
    fresh: bool = False  # the database was empty (but for what the migrations seed)

    @property
    def changes_nothing(self):
        return not (self.create or self.update or self.unexported or self.missing)

    def counts(self, *, pruned):
        """{created, updated, unchanged, deleted}: what the load does (or would do)."""
        written = [(spec, e) for spec in FILES for e in self.to_write(spec)]
        created = sum(1 for spec, entry in written if entry.key not in self.database[spec])
        return {
            "created": created,
            "updated": len(written) - created,
            "unchanged": self.unchanged,
            "deleted": len(self.missing) if pruned else 0,
        }

    def to_write(self, spec):
        """The file's records whose content differs from the database's."""
        in_files, in_db = self.file_digests[spec], self.database_digests[spec]
        return [entry for key, entry in self.files[spec].items() if in_files[key] != in_db.get(key)]

    def refusals(self, *, prune, force):
        """Why this load must not run as asked: one paragraph per reason."""
        problems = []
        if self.unexported and not force:
            problems.append(
                "the database holds changes not exported to the files:\n"
                + listing(self.unexported)
                + "\nExport them first (manage.py export_kb, then review and commit the "
                "diff), or load with --force to overwrite them with the files."
            )
        if self.missing and not prune:
            problems.append(
                "records in the database are missing from the files:\n"
                + listing(self.missing)
                + "\nA load never deletes records unasked: if the files are right, load with "
                "--prune (it lists what it deletes and asks first); if a file lost them, "
                "restore it (git checkout)."
            )
        return problems


def listing(changes, limit=10):
    """The changes, one line per file: ``  path: key; key (reason)``, at most ``limit``
    names per file, then how many more."""
    by_file = {}
    for change in changes:
        by_file.setdefault(change.spec.path, []).append(str(change))
    lines = []
    for path, names in by_file.items():
        more = f"; and {len(names) - limit} more" if len(names) > limit else ""
        lines.append(f"  {path}: {'; '.join(names[:limit])}{more}")
    return "\n".join(lines)


def _classify(file_digest, database_digest, synced_digest):
    """(action, reason) for one record: create, update, unchanged or unexported."""
    if database_digest is None:
        if synced_digest is None:
            return "create", ""
        return "unexported", "deleted in the database"
    if database_digest == file_digest:
        return "unchanged", ""
    if database_digest == synced_digest:
        return "update", ""
    if synced_digest is None:
        return "unexported", "differs from the file and was not loaded from it"
    return "unexported", "edited in the database"


def make_plan(directory=None):
    """Compare the files with the database; reads only. Broken files raise here."""
    directory = Path(directory or settings.KB_FIXTURES_DIR)
    plan = Plan()
    # Every file is read and checked before the database is asked anything.
    for spec in FILES:
        plan.files[spec] = read_file_records(directory, spec)
    # An empty database (a new one, or a restore) takes the files as they are, whatever
    # a past load left in the synced state.
    fresh = plan.fresh = database_is_empty()
    for spec in FILES:
        files = plan.files[spec]
        database = plan.database[spec] = database_records(spec)
        in_files = plan.file_digests[spec] = {
            key: content_digest(spec, entry.data, entry.where) for key, entry in files.items()
        }
        in_db = plan.database_digests[spec] = {
            key: content_digest(spec, serialize(spec, obj)) for key, obj in database.items()
        }
        if fresh:
            # What the migrations seeded counts as loaded: the files update it.
            synced = {_key_json(key): digest for key, digest in in_db.items()}
        else:
            synced = SyncedRecord.objects.digests(spec.path)
        for key, digest in in_files.items():
            action, reason = _classify(digest, in_db.get(key), synced.get(_key_json(key)))
            if action == "unchanged":
                plan.unchanged += 1
            else:
                getattr(plan, action).append(Change(spec, key, reason))
        for key in sorted(in_db.keys() - in_files.keys(), key=str):
            synced_digest = synced.get(_key_json(key))
            if synced_digest != in_db[key]:
                reason = "created" if synced_digest is None else "edited"
                plan.unexported.append(Change(spec, key, f"{reason} in the database"))
            plan.missing.append(Change(spec, key))
    return plan


# ------------------------------------------------------------------------------ load


class _Loader:
    """Writes the records a plan found changed, then their many-to-many links.

    Records are matched by natural key through the plan's index of the database, and
    constraints are left to the database (which names them), so a load runs a few
    queries per changed record and none per unchanged one.
    """

    def __init__(self, plan):
        self.plan = plan
        self.indexes = {spec.model: dict(plan.database[spec]) for spec in FILES}
        self.links = []
        self.created = set()  # (model, pk) of the records this load creates
        self.written = []  # the records this load creates or updates, for their history

    def run(self, *, prune):
        for spec in FILES:
            for entry in self.plan.to_write(spec):
                self.load_record(entry)
        self.set_links()
        if prune:
            self.delete_missing()

    def set_links(self):
        """New records' links in one insert per table (nothing to compare them with);
        changed records' links through ``set()``, which keeps the unchanged ones."""
        rows = {}
        for where, obj, field, values in self.links:
            if sourced_through(field) is not None:
                self.set_sourced_links(where, obj, field, values)
                continue
            related = [self.resolve(where, field, value) for value in values]
            if (obj._meta.model, obj.pk) not in self.created:
                getattr(obj, field.name).set(related)
                continue
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            rows.setdefault(through, []).extend(
                through(**{f"{source}_id": obj.pk, f"{target}_id": pk})
                for pk in dict.fromkeys(other.pk for other in related)
            )
        for through, batch in rows.items():
            through.objects.bulk_create(batch, batch_size=500)

    def load_record(self, entry):
        spec, record, where = entry.spec, entry.data, entry.where
        obj = self.indexes[spec.model].get(entry.key) or spec.model()
        links = []
        for field in spec.fields:
            value = record.get(field.name)
            if field.many_to_many:
                links.append((where, obj, field, value or []))
            elif field.many_to_one:
                if field.name in spec.link_basis_fields:
                    value = self.set_link_basis(where, spec, obj, field, value)
                if value in (None, "") and field.has_default():
                    value = field.get_default()  # ``source``: the paper unless it says
                setattr(obj, field.name, self.resolve(where, field, value))
            else:
                setattr(obj, field.attname, _convert(where, field, value))
        creating = obj.pk is None
        if not creating and hasattr(obj, "mark_changed"):
            # Its content differs from the file's (the plan says so), if only in its links,
            # which are written after it: ``modified`` moves now, and only here.
            obj.mark_changed()
        try:
            # Field checks (required, choices, lengths, formats) here, but not the links,
            # which come from the index (a query each otherwise); uniqueness and check
            # constraints in the database, which rejects the record by name.
            links_to_one = [f.name for f in spec.fields if f.many_to_one]
            obj.full_clean(exclude=links_to_one, validate_unique=False, validate_constraints=False)
            # No savepoint: a database error ends the whole load, which rolls back.
            obj.save()
        except ValidationError as error:
            raise KnowledgeBaseError(f"{where}: {_describe(error)}") from None
        except DatabaseError as error:
            raise KnowledgeBaseError(f"{where}: rejected by the database: {error}") from None
        if creating:
            self.created.add((spec.model, obj.pk))
        self.written.append(obj)
        self.indexes[spec.model][entry.key] = obj
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

    def resolve(self, where, field, value):
        if value in (None, ""):
            return None
        key = tuple(value) if isinstance(value, list) else (value,)
        try:
            return self.indexes[field.related_model][key]
        except (KeyError, TypeError):
            raise KnowledgeBaseError(
                f"{where}: {field.name}: no {field.related_model._meta.verbose_name} "
                f"with key {value!r}"
            ) from None

    def delete_missing(self):
        """The records the files no longer hold go, children before parents."""
        for spec in reversed(FILES):
            keys = [change.key for change in self.plan.missing if change.spec is spec]
            pks = [self.plan.database[spec][key].pk for key in keys]
            try:
                spec.model.objects.filter(pk__in=pks).delete()
            except (ProtectedError, RestrictedError) as error:
                raise KnowledgeBaseError(
                    f"{spec.path}: cannot remove records still linked elsewhere: {error}"
                ) from None


def _describe(error):
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items())
    return " ".join(error.messages)


def load(directory=None, *, prune=False, force=False, dry_run=False, confirmed_deletions=None):
    """Load every file in one transaction: all of it, or (on any error) none of it.

    The one rule for what a load may change: it creates and updates records from the
    files; it refuses to overwrite edits made in the database and not yet exported unless
    ``force``, and to delete records missing from the files unless ``prune``. Broken files
    (missing, not UTF-8, empty, cut short, bad records) are refused whatever the options.
    ``confirmed_deletions`` is the set of Changes a person agreed to delete; the load
    refuses if pruning would now delete others. Returns the Plan it carried out.
    """
    directory = Path(directory or settings.KB_FIXTURES_DIR)
    with transaction.atomic():
        plan = make_plan(directory)
        problems = plan.refusals(prune=prune, force=force)
        if problems:
            raise KnowledgeBaseError("\n".join(problems))
        if (
            prune
            and confirmed_deletions is not None
            and set(plan.missing) != set(confirmed_deletions)
        ):
            raise KnowledgeBaseError(
                "the records to delete changed since they were listed; nothing was deleted"
            )
        loader = _Loader(plan)
        loader.run(prune=prune)
        if not dry_run:
            # One revision: each record's history starts with (or records) the state loaded.
            written = list(loader.written)
            if plan.fresh:
                # What the migrations seeded and the files left unchanged starts its history
                # here too, as every other record does.
                seen = {(type(obj), obj.pk) for obj in written}
                written += [
                    obj
                    for spec in FILES
                    if spec.model_label in MIGRATION_SEEDED
                    for obj in plan.database[spec].values()
                    if (type(obj), obj.pk) not in seen
                ]
            revisions.record(written, f"Loaded from the fixtures (data {data_version()}).")
        if is_fixtures_dir(directory):
            remember_synced_state()
        if dry_run:
            transaction.set_rollback(True)
    return plan
