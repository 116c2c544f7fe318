"""The release as a Frictionless Data Package (v2): every published table a resource with its
Table Schema, made from the data dictionary, and the source documents with their SHA-256."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from publication.dictionary import load_dictionary

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
TYPES = {"VARCHAR": "string", "BIGINT": "integer", "INTEGER": "integer", "DOUBLE": "number",
         "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "datetime"}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_schema(dictionary: pd.DataFrame, table: str, spec: dict) -> dict:
    """The Table Schema of one published table: each column's type, meaning and unit, and the
    table's primary and foreign keys as the data dictionary declares them."""
    fields = []
    for row in dictionary[dictionary["table"] == table].itertuples():
        if row.type not in TYPES:
            raise ValueError(f"publication/dictionary.yaml: {table}.{row.column} has DuckDB type "
                             f"{row.type}, which has no Table Schema type")
        field = {"name": row.column, "type": TYPES[row.type], "description": row.meaning}
        if row.unit:
            field["unit"] = row.unit
        fields.append(field)
    schema = {"fields": fields, "missingValues": [""]}
    if spec.get("primary_key"):
        schema["primaryKey"] = list(spec["primary_key"])
    keys = [{"fields": list(fk["fields"]),
             "reference": {"resource": fk["resource"],
                           "fields": list(fk.get("reference") or fk["fields"])}}
            for fk in spec.get("foreign_keys") or []]
    if keys:
        schema["foreignKeys"] = keys
    return schema


def csv_tables() -> list[str]:
    """The tables also published as CSV (`csv: true` in the data dictionary)."""
    return [name for name, spec in load_dictionary()["tables"].items() if spec.get("csv")]


def descriptor(root: Path, dictionary: pd.DataFrame, documents: pd.DataFrame,
               release: str) -> dict:
    """datapackage.json for the release folder `root` (its parquet/ and csv/ already written)."""
    spec = load_dictionary()
    package = spec["package"]
    resources = []
    for table in dictionary["table"].unique():
        table_spec = spec["tables"][table]
        schema = table_schema(dictionary, table, table_spec)
        files = [("parquet", f"parquet/{table}.parquet", table)]
        if table_spec.get("csv"):
            files.append(("csv", f"csv/{table}.csv", f"{table}_csv"))
        for fmt, path, name in files:
            resources.append({
                "name": name, "type": "table", "path": path, "format": fmt,
                "mediatype": "application/vnd.apache.parquet" if fmt == "parquet" else "text/csv",
                "title": table, "description": " ".join(table_spec["description"].split()),
                "hash": f"sha256:{sha256(root / path)}", "schema": schema})
            if fmt == "csv":  # frictionless counts the bytes of text files only
                resources[-1]["bytes"] = (root / path).stat().st_size
    return {
        "$schema": PROFILE, "name": package["name"], "title": package["title"],
        "description": " ".join(package["description"].split()), "version": release,
        "licenses": package["licenses"],
        "keywords": package.get("keywords", []),
        "sources": [{"title": doc.title, "path": f"sources/documents/{doc.file}",
                     "version": doc.published, "sha256": doc.sha256,
                     "publisher": doc.publisher} for doc in documents.itertuples()],
        "resources": resources}


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    """A table as CSV (UTF-8, comma, '.' decimals, empty for missing), as Table Schema reads it."""
    from publication.files import atomic_path

    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    return target


def validate(package_file: Path, resources: list[str] | None = None) -> list[str]:
    """Every error `frictionless validate` finds in the package, or in its `resources` only
    (empty when valid), one line each naming the resource, row and field; and every file whose
    SHA-256 is not the one the package records (frictionless does not hash Parquet)."""
    import frictionless

    errors = []
    with frictionless.system.use_context(trusted=True):
        if resources is None:
            report = frictionless.validate(str(package_file))
        else:
            package = frictionless.Package(str(package_file))
            report = frictionless.Report.from_validation_reports(
                time=0, reports=[package.get_resource(name).validate() for name in resources])
    for task in report.tasks:
        for error in task.errors:
            where = ", ".join(f"{k} {getattr(error, k)}" for k in ("row_number", "field_name")
                              if getattr(error, k, None) is not None)
            errors.append(f"{task.place}: {error.type}{' (' + where + ')' if where else ''}: "
                          f"{error.note}")
    errors += [f"{package_file}: {e.type}: {e.note}" for e in report.errors]
    made = json.loads(package_file.read_text(encoding="utf-8"))
    for resource in made.get("resources", []):
        path = package_file.parent / resource["path"]
        if resources is not None and resource["name"] not in resources:
            continue
        if not path.is_file() or resource.get("hash") != f"sha256:{sha256(path)}":
            errors.append(f"{resource['path']}: hash-count: the file does not match the SHA-256 "
                          f"the data package records")
    return errors


def write_package(root: Path, dictionary: pd.DataFrame, documents: pd.DataFrame,
                  release: str) -> Path:
    from publication.files import write_text

    made = descriptor(root, dictionary, documents, release)
    return write_text(json.dumps(made, indent=1, ensure_ascii=False) + "\n",
                      root / "datapackage.json")
