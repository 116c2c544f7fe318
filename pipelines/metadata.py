"""What the Dagster UI shows of a warehouse table: its columns with their SQL type, meaning and
unit from the data dictionary, where each column comes from, its row count and a preview."""
from __future__ import annotations

import os

from dagster import (AssetKey, MetadataValue, TableColumn, TableColumnDep, TableColumnLineage,
                     TableSchema)

from publication import dictionary

# The table each table's same-named columns come from (column lineage in the UI).
UPSTREAM = {"observation_breakdowns": "observations", "register_lint": "observations",
            "series": "observations", "series_vintages": "observations", "changes": "series",
            "regional": "series", "quality_findings": "observations",
            "coverage_summary": "number_coverage"}


def column_schema(con, table: str) -> TableSchema:
    """The table's columns as DuckDB types them, described from the data dictionary."""
    spec = dictionary.load_dictionary()
    columns = []
    for name, sql_type, *_ in con.execute(f'DESCRIBE "{table}"').fetchall():
        entry = dictionary.column_entry(spec, table, name) or {"meaning": ""}
        unit = entry.get("unit")
        columns.append(TableColumn(name=name, type=sql_type, description=entry["meaning"]
                                   + (f" (unit: {unit})" if unit else "")))
    return TableSchema(columns=columns)


def table_metadata(con, table: str, preview_rows: int = 5) -> dict:
    """Row count, SQL-typed and described columns, column lineage and a Markdown preview."""
    schema = column_schema(con, table)
    rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    preview = con.execute(f'SELECT * FROM "{table}" LIMIT {preview_rows}').df()
    meta = {"dagster/row_count": MetadataValue.int(rows),
            "dagster/column_schema": MetadataValue.table_schema(schema),
            "preview": MetadataValue.md(preview.to_markdown(index=False) if len(preview)
                                        else "(empty)")}
    upstream = UPSTREAM.get(table)
    if upstream:
        theirs = {c[0] for c in con.execute(f'DESCRIBE "{upstream}"').fetchall()}
        meta["dagster/column_lineage"] = MetadataValue.column_lineage(TableColumnLineage(
            deps_by_column={c.name: [TableColumnDep(asset_key=AssetKey(upstream),
                                                    column_name=c.name)]
                            for c in schema.columns if c.name in theirs}))
    return meta


def outputs_url(path: str) -> str:
    """The address of a published file for a statistician's browser: served by `make ui` on
    127.0.0.1 (SESAM_OUTPUTS_URL), so a link in the UI opens the file of that release."""
    base = os.environ.get("SESAM_OUTPUTS_URL", "http://127.0.0.1:3001").rstrip("/")
    return f"{base}/{path.lstrip('/')}"
