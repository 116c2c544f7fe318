"""The data dictionary: table and column descriptions, published as a table and as comments."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from sources.register import read_plain_yaml

DICTIONARY = Path(__file__).resolve().parent / "dictionary.yaml"

VIEWS = {
    "latest_values": (
        "Latest value of every level series (most recent period), with labels and provenance.",
        """
        SELECT s.indicator, i.label_fr, i.label_nl, i.label_en, i.family, s.geo, s.entity,
               s.breakdown, s.unit, s.period, s.value, s.kind, s.qualifier, s.obs_status,
               s.document_id, d.title AS document, s.line, s.quote
        FROM series s JOIN indicators i USING (indicator) JOIN documents d USING (document_id)
        WHERE s.measure = 'level'
        QUALIFY row_number() OVER (PARTITION BY s.indicator, s.geo, s.entity, s.breakdown, s.unit
                                   ORDER BY s.period DESC) = 1
        """),
    "series_with_provenance": (
        "Every series point with the indicator's labels and the document it comes from.",
        """
        SELECT s.*, i.label_fr, i.label_nl, i.label_en, i.family, d.title AS document_title,
               d.publisher, d.published AS document_published
        FROM series s JOIN indicators i USING (indicator) JOIN documents d USING (document_id)
        """),
}


def load_dictionary() -> dict:
    return read_plain_yaml(DICTIONARY)


def column_entry(spec: dict, table: str, column: str) -> dict | None:
    """The meaning (and unit) of `column` in `table`: the table's own entry, else the general one."""
    overrides = (spec["tables"].get(table) or {}).get("columns") or {}
    return overrides.get(column) or spec["columns"].get(column)


def dictionary_table(con, tables: list[str]) -> pd.DataFrame:
    """One row per published table and column (type from DuckDB, meaning and unit from the
    dictionary); a column without a meaning is an error naming it."""
    spec = load_dictionary()
    rows, missing = [], []
    for table in tables:
        for name, dtype, *_ in con.execute(f'DESCRIBE "{table}"').fetchall():
            entry = column_entry(spec, table, name)
            if not entry:
                missing.append(f"{table}.{name}")
                continue
            rows.append({"table": table, "column": name, "type": dtype,
                         "unit": entry.get("unit"), "meaning": entry["meaning"]})
    if missing:
        raise ValueError(f"{DICTIONARY}: no meaning for column(s) {', '.join(missing)}")
    return pd.DataFrame(rows, columns=["table", "column", "type", "unit", "meaning"])


def _sql_text(text: str) -> str:
    return "'" + " ".join(str(text).split()).replace("'", "''") + "'"


def apply_comments(con, dictionary: pd.DataFrame) -> None:
    """COMMENT ON every published table and column, so researchers see them in DuckDB (one
    transaction: all the comments or none)."""
    spec = load_dictionary()["tables"]
    con.execute("BEGIN TRANSACTION")
    try:
        for table in dictionary["table"].unique():
            con.execute(f'COMMENT ON TABLE "{table}" IS {_sql_text(spec[table]["description"])}')
        for row in dictionary.itertuples():
            meaning = row.meaning + (f" (unit: {row.unit})" if row.unit else "")
            con.execute(f'COMMENT ON COLUMN "{row.table}"."{row.column}" IS {_sql_text(meaning)}')
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def create_views(con) -> None:
    for name, (description, sql) in VIEWS.items():
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {sql}')
        con.execute(f'COMMENT ON VIEW "{name}" IS {_sql_text(description)}')
