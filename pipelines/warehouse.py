"""Small helpers to move DataFrames in and out of the DuckDB build database."""
from __future__ import annotations

import pandas as pd
from dagster import MetadataValue, TableColumn, TableSchema


def replace_table(con, name: str, frame: pd.DataFrame) -> None:
    """Create or replace table `name` with the rows of `frame`."""
    con.register("_frame", frame)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _frame')
    finally:
        con.unregister("_frame")


def read_table(con, name: str) -> pd.DataFrame:
    return con.execute(f'SELECT * FROM "{name}"').df()


def table_metadata(frame: pd.DataFrame, preview_rows: int = 5) -> dict:
    """Row count, column schema and a Markdown preview, for a materialisation's metadata."""
    schema = TableSchema(columns=[TableColumn(name=str(c), type=str(t))
                                  for c, t in frame.dtypes.items()])
    return {
        "dagster/row_count": MetadataValue.int(len(frame)),
        "dagster/column_schema": schema,
        "preview": MetadataValue.md(frame.head(preview_rows).to_markdown(index=False)
                                    if len(frame) else "(empty)"),
    }
