"""Starting register for a document: every number with its line, context and a suggested meaning.

    python -m sources.candidates 003 > draft.yaml

Numbers already registered or dismissed (by a register or by the automatic rules for years,
dates, ordinals, articles and pages) are left out; every number neither registered nor dismissed
becomes a figure entry with its quote, the number as written and its parsed value, and the meaning
sources/suggest.py reads for it (`todo: confirm`, with a confidence per field), or `todo: classify`
where no precedent reads it. A person confirms or corrects each entry, or moves it to
`dismissed:` with a reason; numbers on the running headers and footers of a PDF are dismissed as
pages.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

from sources.intake import running_lines
from sources.numbers import find_numbers
from sources.register import SOURCES, Catalogues, RegisterError, coverage, load_all


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


def candidates(doc_id: str, root: Path = SOURCES, hide_register: bool = False) -> dict:
    """The draft register of `doc_id`: each number neither registered nor dismissed, with the
    meaning suggested from the other registers (sources/suggest.py), the dismissals of running
    headers and footers, and draft catalogue entries for indicators no precedent gives.
    `hide_register` leaves the document's own register out (bench.suggest)."""
    from sources.suggest import Suggester

    cat = Catalogues(root)
    if doc_id not in cat.documents:
        raise RegisterError(f"document {doc_id!r} is not in {root / 'documents.yaml'}")
    register = load_all(root, set(cat.published_documents))  # a draft's register is not read
    cat = register.catalogues
    mine = lambda entries: [e for e in entries if e["document_id"] == doc_id  # noqa: E731
                            and not hide_register]
    own = mine(register.figures)
    rows = coverage(cat, own, mine(register.dismissed), [doc_id])
    lines, pages = cat.document_lines(doc_id), cat.line_pages(doc_id)
    running = running_lines(lines) if cat.documents[doc_id].get("pdf") else set()
    numbers, dismissed = [], []
    for r in rows:
        if r["status"] != "unaccounted":
            continue
        if r["line"] in running:
            dismissed.append({"line": r["line"], "number": r["number_text"], "reason": "page",
                              "note": "running header or footer of the PDF (make intake)"})
            continue
        token = next(t for t in find_numbers(lines[r["line"] - 1]) if t.start == r["column"] - 1)
        numbers.append((r["line"], token))
    learned = [f for f in register.figures if f["document_id"] != doc_id] + own
    suggestions = Suggester(cat, learned).suggest_all(doc_id, numbers)
    figures, drafts = [], {}
    for (line, token), suggestion in zip(numbers, suggestions):
        text = lines[line - 1]
        quote = quote_around(text, token.start, token.end)
        several = len(find_numbers(quote)) > 1
        fields = suggestion["fields"]
        draft = suggestion["indicator_draft"]
        if draft:
            drafts.setdefault(draft["code"], {**draft, "todo": "define, or use an existing code",
                                              "lines": []})["lines"].append(line)
        figures.append({
            "todo": "confirm" if fields["indicator"] else "classify", "line": line,
            "quote": quote, **({"number": token.text} if several else {}),
            "value": token.scaled_value,
            **{k: v for k, v in fields.items() if v is not None or k == "indicator"},
            **({"base_period": None} if fields.get("unit") in cat.vocabulary["change_units"] else {}),
            "suggested": {"confidence": suggestion["confidence"],
                          **({"page": pages[line - 1]} if pages[line - 1] else {}),
                          **({"precedent": suggestion["precedent"]}
                             if fields["indicator"] else {}),
                          **({"indicator_draft": draft["code"]} if draft else {})},
            "_suggestion": suggestion, "_token": token})
    automatic = sum(1 for r in rows if r["status"] == "dismissed"
                    and r["reason"] in AUTOMATIC_REASONS)
    return {"document": doc_id, "figures": figures, "dismissed": dismissed,
            "indicator_drafts": list(drafts.values()), "automatic_dismissals": automatic}


def draft_yaml(draft: dict) -> dict:
    """The draft as written to a register file (without the working keys)."""
    return {"document": draft["document"],
            "figures": [{k: v for k, v in f.items() if not k.startswith("_")}
                        for f in draft["figures"]],
            "dismissed": draft["dismissed"],
            **({"indicator_drafts": draft["indicator_drafts"]} if draft["indicator_drafts"] else {})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", help="document id from sources/documents.yaml")
    parser.add_argument("--root", type=Path, default=SOURCES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        draft = candidates(args.document, args.root)
    except RegisterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    confirm = sum(f["todo"] == "confirm" for f in draft["figures"])
    print(f"# Draft register for document {args.document}: {len(draft['figures'])} numbers, "
          f"{confirm} with a suggested meaning (todo: confirm), the others to classify "
          f"(todo: classify); {len(draft['dismissed'])} on running headers or footers and "
          f"{draft['automatic_dismissals']} more (years, dates, ordinals, articles, pages) "
          f"are dismissed.")
    print("# Each suggestion is learned from the other registers, with a confidence per field and")
    print("# the precedent it follows: read it against the document, correct it, then delete")
    print("# `todo` and `suggested`; or move the number to `dismissed:` with a reason. Indicators")
    print("# no precedent gives are proposed under `indicator_drafts` (codes draft_...): define")
    print("# them in sources/indicators/ or use an existing code. See sources/REGISTERS.md.")
    try:
        yaml.safe_dump(draft_yaml(draft), sys.stdout, allow_unicode=True, sort_keys=False,
                       width=110)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
