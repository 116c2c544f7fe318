"""Starting register for a document: every number with its line and context, already parsed.

    python -m sources.candidates 003 > draft.yaml

Numbers already registered or dismissed (by a register or by the automatic rules for years,
dates, ordinals, articles and pages) are left out; every number neither registered nor dismissed becomes a figure entry marked `todo: classify`, with its quote, the number as
written and its parsed value, for a person to complete (indicator, period, kind, ...) or to move
to `dismissed:` with a reason.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from sources.register import SOURCES, Catalogues, RegisterError, coverage, load_all
from sources.numbers import find_numbers


AUTOMATIC_REASONS = {"year", "date", "ordinal", "legal_reference", "page", "list_number"}


def quote_around(text: str, start: int, end: int, width: int = 40) -> str:
    """A verbatim slice of the line around the number, cut at word boundaries."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    while left > 0 and not text[left - 1].isspace():
        left += 1
        if left >= start:
            left = start
            break
    while right < len(text) and not text[right].isspace():
        right -= 1
        if right <= end:
            right = end
            break
    return text[left:right].strip()


def candidates(doc_id: str, root: Path = SOURCES) -> dict:
    """The draft register of `doc_id`: figures to classify and automatic dismissals."""
    cat = Catalogues(root)
    if doc_id not in cat.documents:
        raise RegisterError(f"document {doc_id!r} is not in {root / 'documents.yaml'}")
    register = load_all(root, {doc_id})
    rows = [r for r in coverage(cat, register.figures, register.dismissed)
            if r["document_id"] == doc_id]
    lines = cat.document_lines(doc_id)
    figures = []
    for r in rows:
        if r["status"] != "unaccounted":
            continue
        text, start = lines[r["line"] - 1], r["column"] - 1
        quote = quote_around(text, start, start + len(r["number_text"]))
        token = next(t for t in find_numbers(text) if t.start == start)
        several = len(find_numbers(quote)) > 1
        figures.append({"todo": "classify", "line": r["line"], "quote": quote,
                        **({"number": r["number_text"]} if several else {}),
                        "value": token.scaled_value,
                        **({"unit": "percent"} if token.percent else {}),
                        "indicator": None, "period": None})
    automatic = sum(1 for r in rows if r["status"] == "dismissed"
                    and r["reason"] in AUTOMATIC_REASONS)
    return {"document": doc_id, "figures": figures, "automatic_dismissals": automatic}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", help="document id from sources/documents.yaml")
    args = parser.parse_args(argv)
    try:
        draft = candidates(args.document)
    except RegisterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    todo = len(draft["figures"])
    print(f"# Draft register for document {args.document}: {todo} numbers to classify "
          f"(todo: classify); {draft.pop('automatic_dismissals')} numbers are dismissed "
          f"automatically (years, dates, ordinals, articles, pages).")
    print("# Complete each figure (indicator, period, kind, ...) and remove `todo`, or move it")
    print("# to `dismissed:` with a reason; see sources/REGISTERS.md.")
    yaml.safe_dump(draft, sys.stdout, allow_unicode=True, sort_keys=False, width=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
