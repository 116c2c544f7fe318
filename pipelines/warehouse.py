"""Small helpers to move DataFrames in and out of the DuckDB build database."""
from __future__ import annotations

import pandas as pd


def replace_table(con, name: str, frame: pd.DataFrame) -> None:
    """Create or replace table `name` with the rows of `frame`."""
    con.register("_frame", frame)
    try:
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _frame')
    finally:
        con.unregister("_frame")


def read_table(con, name: str) -> pd.DataFrame:
    return con.execute(f'SELECT * FROM "{name}"').df()
