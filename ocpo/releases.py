"""Versioned releases of the knowledge base: a Frictionless Data Package per data version.

``build_release`` writes, for the current data version: one CSV per model and one per
many-to-many link (natural keys throughout), ``datapackage.json`` with a Table Schema per
resource (types, primary keys, foreign keys by natural key, descriptions from the models'
help texts), the same data as JSON, the version's changelog entry, the licences,
``SHA256SUMS`` and a zip of it all. Building the same data twice gives the same bytes: rows
in the fixtures' order, fixed timestamps in the zip, no build time anywhere.
"""

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from . import kb

TITLE = "ocpo: interfaces between peace operations and organized crime"
DESCRIPTION = (
    'Linked records made from the policy paper "Interfaces between Peace Operations and '
    'Organized Crime": the seven interfaces, the evidence for each, the missions, countries '
    "and documents it cites, and the Annex table of measures missions used against organized "
    "crime. Every record and link names its source in the paper or is marked as added by the "
    "editors."
)
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
LICENSE_TEXT = """\
The data in this release (the editors' records, summaries and wording) is licensed under
the Creative Commons Attribution 4.0 International licence (CC BY 4.0):
https://creativecommons.org/licenses/by/4.0/

Quotations remain their authors' words, reproduced for scholarly comment; the paper they
come from and the documents it cites are cited on every record that quotes them.

ocpo's source code is licensed separately, under the Apache License 2.0.
"""
FIELD_TYPES = {
    models.BooleanField: "boolean",
    models.DateTimeField: "datetime",
    models.DateField: "date",
    models.DecimalField: "number",
    models.FloatField: "number",
    models.IntegerField: "integer",
    models.PositiveSmallIntegerField: "integer",
    models.PositiveIntegerField: "integer",
    models.SmallIntegerField: "integer",
    models.BigIntegerField: "integer",
}
# Zip entries carry this time, so the archive's bytes depend on its content only.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def resource_name(model):
    return re.sub(r"[^a-z0-9]+", "-", str(model._meta.verbose_name_plural).lower()).strip("-")


def field_type(field):
    if field.many_to_one:
        return field_type(field.related_model._meta.get_field(key_fields(field.related_model)[0]))
    for django_type, table_type in FIELD_TYPES.items():
        if isinstance(field, django_type):
            return table_type
    return "string"


def key_fields(model):
    """The natural key's field names, as the fixture files give them."""
    return next(spec.key for spec in kb.FILES if spec.model is model)


def describe(field):
    description = str(field.help_text or field.verbose_name).strip()
    if field.many_to_one:
        target = field.related_model._meta.verbose_name
        description += f" (the {target}'s natural key)"
    return description[:1].upper() + description[1:]


def schema_field(field):
    spec = {"name": field.name, "type": field_type(field), "description": describe(field)}
    constraints = {}
    if not field.blank and not field.null:
        constraints["required"] = True
    if field.choices:
        constraints["enum"] = [str(value) for value, _ in field.choices]
    if isinstance(field, models.CharField) and field.max_length:
        constraints["maxLength"] = field.max_length
    if constraints:
        spec["constraints"] = constraints
    return spec


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_bytes(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


@dataclass
class Release:
    """The release's files (name to bytes) and its descriptor, built in memory."""

    version: str
    files: dict

    @property
    def name(self):
        return f"ocpo-{self.version}"

    def checksums(self):
        return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(self.files.items())}

    def sha256sums(self):
        return "".join(f"{digest}  {name}\n" for name, digest in self.checksums().items())

    def zip_bytes(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            entries = {**self.files, "SHA256SUMS": self.sha256sums().encode()}
            for name in sorted(entries):
                info = zipfile.ZipInfo(f"{self.name}/{name}", date_time=ZIP_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name])
        return buffer.getvalue()

    def write(self, directory):
        """The unpacked files, SHA256SUMS and the zip, under ``directory``/<name>."""
        target = Path(directory) / self.name
        target.mkdir(parents=True, exist_ok=True)
        for name, data in {**self.files, "SHA256SUMS": self.sha256sums().encode()}.items():
            (target / name).write_bytes(data)
        archive = Path(directory) / f"{self.name}.zip"
        archive.write_bytes(self.zip_bytes())
        return target, archive


def changelog_entry(version):
    """The changelog's section for ``version`` (its heading, date and text), or ''."""
    text = (settings.KB_FIXTURES_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.split(r"(?m)^## ", text)
    for section in sections[1:]:
        if section.split()[0] == version:
            return "## " + section.strip() + "\n"
    return ""


def release_date(version):
    match = re.match(r"## \S+ \((\d{4}-\d{2}-\d{2})\)", changelog_entry(version))
    return match.group(1) if match else None


def build():
    """The release of the data now in the database, under the current data version."""
    version = kb.data_version()
    files, resources, everything = {}, [], {}
    for spec in kb.FILES:
        model = spec.model
        name = resource_name(model)
        objects = kb.ordered_objects(spec)
        everything[name] = [kb.serialize(spec, obj) for obj in objects]
        own = [f for f in spec.fields if not f.many_to_many]
        files[f"{name}.csv"] = csv_bytes(
            [f.name for f in own], [[column_value(obj, f) for f in own] for obj in objects]
        )
        resources.append(table_resource(name, model, own, spec))
        for link in (f for f in spec.fields if f.many_to_many):
            link_name, header, rows, resource = link_table(name, spec, link, objects)
            files[f"{link_name}.csv"] = csv_bytes(header, rows)
            resources.append(resource)
    files["ocpo.json"] = (
        json.dumps(
            {"version": version, **everything}, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder
        )
        + "\n"
    ).encode()
    files["CHANGELOG.md"] = (changelog_entry(version) or f"## {version}\n").encode()
    files["LICENSE.txt"] = LICENSE_TEXT.encode()
    files["datapackage.json"] = (
        json.dumps(descriptor(version, resources), ensure_ascii=False, indent=1) + "\n"
    ).encode()
    return Release(version=version, files=files)


def column_value(obj, field):
    if field.many_to_one:
        related = getattr(obj, field.name)
        return None if related is None else related.natural_key()[0]
    return getattr(obj, field.attname)


def table_resource(name, model, fields, spec):
    schema = {"fields": [schema_field(f) for f in fields], "primaryKey": list(spec.key)}
    foreign = [
        {
            "fields": field.name,
            "reference": {
                "resource": resource_name(field.related_model),
                "fields": key_fields(field.related_model)[0],
            },
        }
        for field in fields
        if field.many_to_one
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "title": str(model._meta.verbose_name_plural).capitalize(),
        "description": (model.__doc__ or "").strip().splitlines()[0],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def link_table(owner_name, spec, link, objects):
    """One many-to-many link as a table: the owner's natural key, the target's, and what
    the link itself records (its basis, where the link model has one), one query."""
    owner_model, target = spec.model, link.related_model
    through = link.remote_field.through
    owner_fk = next(
        f for f in through._meta.get_fields() if f.many_to_one and f.related_model is owner_model
    )
    target_fk = next(
        f
        for f in through._meta.get_fields()
        if f.many_to_one and f.related_model is target and f is not owner_fk
    )
    extra = [
        f
        for f in through._meta.get_fields()
        if f.concrete and not f.primary_key and f not in (owner_fk, target_fk)
    ]
    owner_columns = [f"{owner_model._meta.model_name}_{part}" for part in spec.key]
    target_column = target._meta.model_name
    header = [*owner_columns, target_column, *[f.name for f in extra]]
    position = {obj.pk: index for index, obj in enumerate(objects)}
    links = through.objects.select_related(target_fk.name).order_by()
    rows = sorted(
        (
            [
                position[getattr(row, owner_fk.attname)],
                *owner_key(objects, position, getattr(row, owner_fk.attname), spec),
                getattr(row, target_fk.name).natural_key()[0],
                *[getattr(row, f.attname) for f in extra],
            ]
            for row in links
            if getattr(row, owner_fk.attname) in position
        ),
        key=lambda row: (row[0], str(row[len(owner_columns) + 1])),
    )
    target_key = key_fields(target)[0]
    fields = [
        {
            "name": column,
            "type": field_type(owner_model._meta.get_field(part)),
            "description": f"The {owner_model._meta.verbose_name}'s {part}.",
            "constraints": {"required": True},
        }
        for column, part in zip(owner_columns, spec.key, strict=True)
    ]
    fields.append(
        {
            "name": target_column,
            "type": field_type(target._meta.get_field(target_key)),
            "description": describe(link),
            "constraints": {"required": True},
        }
    )
    fields += [schema_field(f) for f in extra]
    name = f"{owner_name}-{resource_name(target)}"
    resource = {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "title": (
            f"Links from {owner_model._meta.verbose_name_plural} "
            f"to {target._meta.verbose_name_plural}"
        ),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": fields,
            "primaryKey": [*owner_columns, target_column],
            "foreignKeys": [
                {
                    "fields": owner_columns if len(owner_columns) > 1 else owner_columns[0],
                    "reference": {
                        "resource": owner_name,
                        "fields": list(spec.key) if len(spec.key) > 1 else spec.key[0],
                    },
                },
                {
                    "fields": target_column,
                    "reference": {"resource": resource_name(target), "fields": target_key},
                },
            ],
        },
    }
    return name, header, [row[1:] for row in rows], resource


def owner_key(objects, position, pk, spec):
    obj = objects[position[pk]]
    return [column_value(obj, obj._meta.get_field(part)) for part in spec.key]


def descriptor(version, resources):
    return {
        "profile": "tabular-data-package",
        "name": "ocpo",
        "title": TITLE,
        "description": DESCRIPTION,
        "version": version,
        # The release date (midnight UTC): a build time would make two builds differ.
        "created": f"{release_date(version)}T00:00:00Z",
        "licenses": [DATA_LICENSE],
        "sources": [
            {"title": "Interfaces between Peace Operations and Organized Crime (policy paper)"}
        ],
        "resources": resources,
    }


def version_order(version):
    return [int(part) if part.isdigit() else -1 for part in re.split(r"[.-]", version)]


def manifest_path():
    return settings.KB_FIXTURES_DIR / "releases.json"


def read_manifest():
    try:
        return json.loads(manifest_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []


def manifest_entry(release):
    return {
        "version": release.version,
        "date": release_date(release.version),
        "zip": f"{release.name}.zip",
        "zip_sha256": hashlib.sha256(release.zip_bytes()).hexdigest(),
        "files": release.checksums(),
    }


def record_in_manifest(release):
    """The manifest with this release's entry added or replaced, newest first."""
    entries = [e for e in read_manifest() if e["version"] != release.version]
    entries.append(manifest_entry(release))
    entries.sort(key=lambda e: version_order(e["version"]), reverse=True)
    text = json.dumps(entries, indent=1, ensure_ascii=False) + "\n"
    kb.write_atomically(manifest_path(), text)
    return entries


def changelog_text():
    """The changelog's entries, without the file's own title."""
    text = (settings.KB_FIXTURES_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.sub(r"\A# .*\n", "", text)


def dataset_json_ld(site, manifest, download_path):
    """schema.org ``Dataset`` for data catalogues: what, which version, licence, files."""
    from missions.models import Country, Document

    years = Document.objects.aggregate(first=models.Min("year"), last=models.Max("year"))
    current = manifest[0] if manifest else {}
    dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": TITLE,
        "description": DESCRIPTION,
        "url": site.rstrip("/") + "/data/",
        "version": kb.data_version(),
        "license": DATA_LICENSE["path"],
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": "The ocpo editors"},
        "isBasedOn": {
            "@type": "CreativeWork",
            "name": "Interfaces between Peace Operations and Organized Crime",
        },
        "spatialCoverage": [
            {"@type": "Place", "name": name}
            for name in Country.objects.order_by("name").values_list("name", flat=True)
        ],
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": "application/zip",
                "contentUrl": site.rstrip("/") + download_path,
                **({"sha256": current["zip_sha256"]} if current else {}),
            }
        ],
    }
    if years["first"]:
        dataset["temporalCoverage"] = f"{years['first']}/{years['last']}"
    if current.get("date"):
        dataset["datePublished"] = current["date"]
    return dataset
