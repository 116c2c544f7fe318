"""The README's figures are the published ones: the block is what publication.readme computes."""
from __future__ import annotations

import re

from publication import readme


def test_readme_figures_are_those_of_the_publication(materialized):
    outputs, result = materialized
    assert result.success
    computed = readme.render(readme.figures(outputs / "warehouse.duckdb"))
    assert readme.current_block(readme.README.read_text()) == computed, (
        "README.md's figures are stale: python -m publication.readme --write")


def test_the_block_counts_what_the_tables_hold(materialized):
    import duckdb

    outputs, _ = materialized
    figures = readme.figures(outputs / "warehouse.duckdb")
    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        assert figures["figures"] == con.execute("SELECT count(*) FROM observations").fetchone()[0]
    assert sum(figures["basis"].values()) == figures["figures"]
    text = readme.render(figures)
    first = re.search(r"^(.+?) figures from", text.splitlines()[1]).group(1)
    assert first == readme.grouped(figures["figures"])
    read, right = readme.sample_reading()
    assert read >= 100 and right <= read
