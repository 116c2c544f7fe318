"""How well the suggested meanings agree with the registers, document by document.

    python -m bench.suggest [documents ...]

For each document, its own register is hidden and `make candidates` is run on it as if it were a
new report, learning from the other registers only. For the numbers that the hidden register
reads as figures, it counts how many get a suggested indicator, and per field how many
suggestions agree with the register; it also counts the numbers the register dismisses that get an
indicator suggested all the same (which a person then dismisses), and times each document.
An indicator can agree only where the register's indicator is used by another register too: that
ceiling is printed beside it. `entity` counts an empty suggestion as one (most figures have none).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from sources.candidates import candidates
from sources.register import SOURCES, load_all

FIELDS = ("indicator", "period", "period_basis", "unit", "kind", "qualifier", "geo", "entity")


def registered_value(fig: dict, field: str):
    value = fig.get(field)
    return value or None if field == "entity" else value


def measure(doc_id: str, figures: list[dict]) -> dict:
    truth = {(f["line"], f["column"]): f for f in figures if f["document_id"] == doc_id}
    learnable = {f["indicator"] for f in figures if f["document_id"] != doc_id}
    started = time.perf_counter()
    draft = candidates(doc_id, SOURCES, hide_register=True)
    seconds = time.perf_counter() - started
    agree, suggested, extra = Counter(), Counter(), 0
    found = 0
    for entry in draft["figures"]:
        fig = truth.get((entry["line"], entry["_token"].start + 1))
        fields = entry["_suggestion"]["fields"]
        if fig is None:
            extra += fields["indicator"] is not None
            continue
        found += 1
        for field in FIELDS:
            if field != "entity" and fields.get(field) is None:
                continue
            suggested[field] += 1
            agree[field] += (fields.get(field) or None) == registered_value(fig, field)
    return {"document": doc_id, "figures": len(truth), "found": found,
            "learnable": sum(f["indicator"] in learnable for f in truth.values()),
            "suggested": suggested, "agree": agree, "extra": extra, "seconds": seconds,
            "numbers": len(draft["figures"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", help="document ids (default: every registered one)")
    args = parser.parse_args(argv)
    figures = load_all().figures
    registered = sorted({f["document_id"] for f in figures})
    results = [measure(d, figures) for d in args.documents or registered]
    print("Suggested meanings against each hidden register (agree / suggested; % of suggested)\n")
    print("| document | figures | their indicator in another register | with an indicator | "
          + " | ".join(FIELDS[1:]) + " | indicator agrees | dismissed numbers given an "
          "indicator | s |")
    print("|---" * (len(FIELDS) + 6) + "|")
    total = {"figures": 0, "learnable": 0, "suggested": Counter(), "agree": Counter(), "extra": 0,
             "seconds": 0.0}
    for r in results + [None]:
        if r is None:
            r = {**total, "document": "all"}
        else:
            for key in ("figures", "learnable", "extra", "seconds"):
                total[key] += r[key]
            total["suggested"].update(r["suggested"])
            total["agree"].update(r["agree"])
        cell = lambda f: (f"{r['agree'][f]}/{r['suggested'][f]} "  # noqa: E731
                          f"({100 * r['agree'][f] / max(r['suggested'][f], 1):.0f} %)")
        print(f"| {r['document']} | {r['figures']} | {r['learnable']} | "
              f"{r['suggested']['indicator']} | "
              + " | ".join(cell(f) for f in FIELDS[1:]) + f" | {cell('indicator')} | "
              f"{r['extra']} | {r['seconds']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
