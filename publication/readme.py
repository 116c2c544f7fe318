"""The README's figures, computed from a published warehouse, never typed.

    python -m publication.readme            # print the block the README should hold
    python -m publication.readme --write    # replace the README's block with it
    python -m publication.readme --check    # exit 1 when the README's block differs

The block sits between the two markers below; `make run` says whether it is up to date and
tests/test_readme.py compares it with the session's publication.
"""
from __future__ import annotations

import argparse
import csv
import sys
import textwrap
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
SAMPLE = PROJECT / "docs" / "reviews" / "random-sample"
START = "<!-- figures: written by `python -m publication.readme --write` from the published data -->"
END = "<!-- /figures -->"


def grouped(n: int) -> str:
    """1044 -> '1 044' (a no-break space, as the README writes thousands)."""
    return f"{n:,}".replace(",", "\u00a0")


def figures(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchone()  # noqa: E731
        per_document = con.execute("SELECT document_id, count(*) FROM observations "
                                   "GROUP BY 1 ORDER BY 1").fetchall()
        coverage = one("SELECT sum(registered), sum(dismissed), sum(unaccounted) "
                       "FROM coverage_summary")
        basis = dict(con.execute("SELECT period_basis, count(*) FROM observations "
                                 "GROUP BY 1").fetchall())
        lint = dict(con.execute("SELECT status, count(*) FROM register_lint GROUP BY 1").fetchall())
        return {"figures": sum(n for _, n in per_document), "per_document": per_document,
                "indicators": one("SELECT count(*) FROM indicators")[0],
                "families": one("SELECT count(DISTINCT family) FROM indicators")[0],
                "registered_numbers": coverage[0], "dismissed": coverage[1],
                "unaccounted": coverage[2], "basis": basis,
                "lint_open": lint.get("open", 0), "lint_accepted": lint.get("accepted", 0),
                "findings": one("SELECT count(DISTINCT finding_id) FROM quality_findings")[0],
                "series": one("SELECT count(*) FROM (SELECT DISTINCT indicator, geo, entity, "
                              "breakdown, unit, measure FROM series)")[0],
                "charts": chart_count()}


def chart_count() -> int:
    from publication.charts import load_specs

    return len(load_specs())


def sample_reading() -> tuple[int, int]:
    """Figures drawn at random and read again after the second reading: (read, right)."""
    rows = [r for f in sorted(SAMPLE.glob("sample_*.csv")) for r in csv.DictReader(f.open())]
    return len(rows), sum(r["verdict"] == "ok" for r in rows)


def render(f: dict) -> str:
    per_document = ", ".join(f"{d}: {grouped(n)}" for d, n in f["per_document"])
    read, right = sample_reading()
    b = f["basis"]
    paragraphs = [
        f"{grouped(f['figures'])} figures from the {len(f['per_document'])} documents "
        f"({per_document}), {f['indicators']} indicators in {f['families']} families, "
        f"{grouped(f['series'])} series and {f['charts']} charts in French and Dutch. Every "
        f"other number of the documents ({grouped(f['dismissed'])}, numbers in words included: "
        "\"vingt\", \"une quarantaine\", \"deux tiers\") is dismissed with a reason (years, dates, "
        "article numbers, pages, list numbers, breakdown parameters such as \"dans les deux "
        f"jours\", ...); {grouped(f['unaccounted'])} are unaccounted. Frequencies in words such as "
        "\"chaque semestre\" are figures without a numeric token, so the coverage counts "
        f"{grouped(f['registered_numbers'])} registered numbers for {grouped(f['figures'])} figures.",
        f"Periods: {grouped(b.get('stated', 0))} stated in the figure's sentence or table row, "
        f"{grouped(b.get('inferred', 0))} inferred from a named line, "
        f"{grouped(b.get('not_stated', 0))} not stated (kept out of series). Register lint: "
        f"{f['lint_open']} open, {f['lint_accepted']} accepted with a reason. The quality report "
        f"lists {f['findings']} findings. An independent reading of {read} figures drawn at "
        f"random after the second reading found {right} right in every field "
        "(`docs/reviews/random-sample/`)."]
    wrapped = [textwrap.fill(p, 100, break_long_words=False, break_on_hyphens=False)
               for p in paragraphs]
    return "\n".join([START, "\n\n".join(wrapped), END])


def current_block(text: str) -> str | None:
    if START not in text or END not in text:
        return None
    return text[text.index(START):text.index(END) + len(END)]


def main(argv: list[str] | None = None) -> int:
    from pipelines.resources import default_outputs_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path,
                        default=default_outputs_dir() / "warehouse.duckdb")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(f"error: {args.warehouse} does not exist; run `make run` first", file=sys.stderr)
        return 2
    block = render(figures(args.warehouse))
    text = README.read_text()
    old = current_block(text)
    if args.write:
        if old is None:
            print(f"error: {README} has no block between the markers {START!r} and {END!r}",
                  file=sys.stderr)
            return 2
        README.write_text(text.replace(old, block))
    elif args.check:
        if old != block:
            print("README.md's figures differ from the published data: "
                  "python -m publication.readme --write", file=sys.stderr)
            return 1
    else:
        print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
