"""Take in a published PDF: store it byte-identical, extract its text page by page, draft its
catalogue entry.

    python -m sources.intake path/to/report.pdf [--id 005]      # make intake PDF=...

The text is extracted with pypdfium2 (PDFium, the PDF engine of Chromium): it reads the text layer
fast, reports encryption, and gives each character's box, from which table cells are told apart
(a wide gap becomes a tab, as in the tab-separated rows of document 004). The text keeps the
lines of the page, as the existing documents do: a word hyphenated at a line end stays cut, with
its hyphen, over two lines; running headers and footers stay in the text (make candidates
dismisses their numbers as `page`). A line holding only a form feed ends each page, so every line
knows its page. An encrypted PDF, a PDF without a text layer (a scan) or a file that is not a PDF
is refused, and nothing is stored.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from sources.register import SOURCES, RegisterError

PAGE_BREAK = "\f"
CELL_GAP = 2.0  # a gap wider than twice the line's height between two words is a table cell


class IntakeError(RegisterError):
    """A PDF that cannot be taken in; the message says why and what to do."""


def read_pdf(path: Path) -> tuple[list[list[str]], dict]:
    """The lines of each page of the PDF at `path` and its properties (Title, Author, ...),
    refused when it is not a readable PDF with a text layer."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise IntakeError(f"{path}: not a PDF (it does not start with %PDF-); intake takes the "
                          f"report as the publisher's PDF")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IntakeError(f"{path}: the PDF is encrypted and needs a password; ask the "
                              f"publisher for an unprotected copy") from None
        raise IntakeError(f"{path}: PDFium cannot read this PDF ({exc})") from None
    try:
        if raw.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
            raise IntakeError(f"{path}: the PDF is encrypted (its owner restricts what may be "
                              f"done with it); ask the publisher for an unprotected copy rather "
                              f"than read around the protection")
        pages = [_page_lines(page) for page in pdf]
        properties = {k: v.strip() for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
    finally:
        pdf.close()
    if not any(line.strip() for lines in pages for line in lines):
        raise IntakeError(f"{path}: none of its {len(pages)} page(s) has a text layer (a scanned "
                          f"document?); intake reads the text layer and does not guess characters "
                          f"from images (OCR)")
    return pages, properties


def _page_lines(page) -> list[str]:
    """One page's text as lines: PDFium's soft hyphens put back as a hyphen at the line end,
    wide gaps between words as tabs."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        boxes = [textpage.get_charbox(i) for i in range(len(text))] if len(text) == count else None
    finally:
        textpage.close()
    out = []
    for i, char in enumerate(text):
        if char == " " and boxes and _wide_gap(text, boxes, i):
            out.append("\t")
        elif char in "\x02\ufffe":  # a hyphen PDFium took for a word cut at the line end
            out.append("-\n")
        elif char != "\r":
            out.append(char)
    return [line.rstrip() for line in "".join(out).split("\n")]


def _wide_gap(text: str, boxes: list, i: int) -> bool:
    """Whether the space at `i` sits in a gap wider than CELL_GAP line heights."""
    left = next((j for j in range(i - 1, -1, -1) if not text[j].isspace()), None)
    right = next((j for j in range(i + 1, len(text)) if not text[j].isspace()), None)
    if left is None or right is None or "\n" in text[left:right]:
        return False
    height = max(boxes[left][3] - boxes[left][1], boxes[right][3] - boxes[right][1], 1.0)
    return boxes[right][0] - boxes[left][2] > CELL_GAP * height


def pdf_text(pages: list[list[str]]) -> str:
    """The document text: the pages' lines, a line holding only a form feed between pages."""
    return f"\n{PAGE_BREAK}\n".join("\n".join(lines) for lines in pages) + "\n"


def line_pages(lines: list[str]) -> list[int]:
    """The page (from 1) of each line of a text written by pdf_text."""
    pages, page = [], 1
    for line in lines:
        pages.append(page)
        if line == PAGE_BREAK:
            page += 1
    return pages


def running_lines(lines: list[str]) -> set[int]:
    """Lines (from 1) that are running headers or footers: the first or last text line of a
    page that recurs, numbers aside, on at least half of the pages (and on two or more)."""
    pages: list[list[int]] = [[]]
    for n, line in enumerate(lines, start=1):
        if line == PAGE_BREAK:
            pages.append([])
        elif line.strip():
            pages[-1].append(n)
    pages = [p for p in pages if p]
    if len(pages) < 2:
        return set()
    shape = lambda n: re.sub(r"\d+", "#", " ".join(lines[n - 1].split()))  # noqa: E731
    edges = [n for p in pages for n in {p[0], p[-1]}]
    common = Counter(shape(n) for n in edges)
    return {n for n in edges if common[shape(n)] >= max(2, len(pages) / 2)}


def next_id(documents: list[dict]) -> str:
    numeric = [int(d["id"]) for d in documents if str(d["id"]).isdigit()]
    return f"{max(numeric, default=-1) + 1:03d}"


def detect_language(text: str) -> str:
    words = Counter(re.findall(r"[a-zà-ÿ]+", text.lower()))
    french = sum(words[w] for w in ("le", "la", "les", "des", "et", "du", "une", "est"))
    dutch = sum(words[w] for w in ("de", "het", "een", "van", "en", "voor", "zijn", "niet"))
    return "fr" if french >= dutch else "nl"


def intake(pdf: Path, root: Path = SOURCES, doc_id: str | None = None) -> dict:
    """Store `pdf` and its text in root/documents/ and append a draft entry to the catalogue;
    returns the entry. Nothing is written when the PDF is refused or the id is taken."""
    import yaml

    from sources.register import read_yaml

    pdf = Path(pdf)
    if not pdf.is_file():
        raise IntakeError(f"{pdf}: no such file")
    pages, meta = read_pdf(pdf)
    data = pdf.read_bytes()
    pdf_sha = hashlib.sha256(data).hexdigest()
    catalogue = root / "documents.yaml"
    documents = read_yaml(catalogue).get("documents") or []
    known = next((d for d in documents if d.get("pdf_sha256") == pdf_sha), None)
    if known:
        raise IntakeError(f"{pdf}: this PDF is already document {known['id']} "
                          f"({known.get('pdf')}); nothing stored")
    doc_id = doc_id or next_id(documents)
    if any(str(d.get("id")) == doc_id for d in documents):
        raise IntakeError(f"{pdf}: document id {doc_id!r} is already in {catalogue}")
    text = pdf_text(pages)
    text_bytes = text.encode("utf-8")
    stem = f"{doc_id}_{pdf_sha[:16]}"
    folder = root / "documents"
    entry = {
        "id": doc_id, "file": f"{stem}.txt", "sha256": hashlib.sha256(text_bytes).hexdigest(),
        "pdf": f"{stem}.pdf", "pdf_sha256": pdf_sha, "pages": len(pages),
        "extracted_with": f"pypdfium2 {version('pypdfium2')}",
        "title": meta.get("Title") or next((l for l in text.splitlines() if l.strip()), stem),
        "publisher": meta.get("Author") or "?", "period_covered": "?", "kind": "annual_report",
        "language": detect_language(text), "published": "?",
        "todo": "check title and publisher (read from the PDF's properties or first line); give "
                "title_nl, citation {fr, nl}, period_covered, kind and published; then delete todo",
    }
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=100)
    existing = catalogue.read_text(encoding="utf-8")
    written = [folder / entry["pdf"], folder / entry["file"]]
    try:
        written[0].write_bytes(data)
        written[1].write_bytes(text_bytes)
        catalogue.write_text(existing.rstrip("\n") + "\n" + "\n".join(
            "  " + line if line else line for line in block.splitlines()) + "\n", encoding="utf-8")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        catalogue.write_text(existing, encoding="utf-8")
        raise
    if pdf.resolve().parent == folder.resolve() and pdf.name != entry["pdf"]:
        pdf.unlink()  # dropped into sources/documents/: now stored under its catalogue name
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path, help="the report as published, in PDF")
    parser.add_argument("--id", help="document id (default: the next free number)")
    parser.add_argument("--root", type=Path, default=SOURCES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        entry = intake(args.pdf, args.root, args.id)
    except RegisterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    shown = os.path.relpath
    folder = args.root / "documents"
    lines = (folder / entry["file"]).read_text(encoding="utf-8").split("\n")
    print(f"document {entry['id']}: {entry['pages']} page(s), {len(lines)} lines of text")
    print(f"  stored  {shown(folder / entry['pdf'])} (SHA-256 {entry['pdf_sha256']})")
    print(f"  text    {shown(folder / entry['file'])} (SHA-256 {entry['sha256']})")
    print(f"  draft entry added to {shown(args.root / 'documents.yaml')}: {entry['todo']}")
    print(f"next: complete that entry, then make candidates DOC={entry['id']} > "
          f"{shown(args.root / 'figures' / (entry['id'] + '.yaml'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
