"""Check the registers against their documents and list the numbers still unaccounted.

    python -m sources.check            # every document
    python -m sources.check 002 -v     # one document, listing each unaccounted number
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter

from sources.register import RegisterError, coverage, load_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", help="document ids (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list unaccounted numbers")
    args = parser.parse_args(argv)
    try:
        reg = load_all(documents=set(args.documents) or None)
        cat, figures, dismissed = reg.catalogues, reg.figures, reg.dismissed
    except RegisterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [r for r in coverage(cat, figures, dismissed)
            if not args.documents or r["document_id"] in args.documents]
    wanted = set(args.documents) or set(cat.documents)
    counts = Counter((r["document_id"], r["status"]) for r in rows)
    figs = Counter(f["document_id"] for f in figures)
    print(f"{'document':<9}{'figures':>8}{'registered':>11}{'dismissed':>10}{'unaccounted':>12}")
    for doc_id in sorted(wanted):
        print(f"{doc_id:<9}{figs[doc_id]:>8}{counts[doc_id, 'registered']:>11}"
              f"{counts[doc_id, 'dismissed']:>10}{counts[doc_id, 'unaccounted']:>12}")
    from sources.lint import lint_figures

    lint = [f for f in lint_figures(figures, cat.document_lines) if f["document_id"] in wanted]
    left = [f for f in lint if not f["accepted"]]
    print(f"register lint: {len(left)} reading(s) to look at, {len(lint) - len(left)} accepted "
          f"with a reason (python -m sources.lint lists them)")
    if args.verbose:
        for f in sorted(left, key=lambda f: (f["document_id"], f["line"], f["rule"])):
            print(f"{f['observation_id']}: lint {f['rule']}: {f['message']}")
        for r in rows:
            if r["document_id"] in wanted and r["status"] == "unaccounted":
                print(f"{r['document_id']}:{r['line']}:{r['column']}: {r['number_text']!r}  "
                      f"…{r['context']}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
