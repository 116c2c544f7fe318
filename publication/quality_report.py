"""The readable quality report: each finding with the quotes it involves side by side."""
from __future__ import annotations

from html import escape

import pandas as pd

from sources.intake import PAGE_BREAK, line_pages
from transforms.consistency import show

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#222}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem}
.finding{border:1px solid #ccc;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.finding h3{font-size:1rem;margin:.2rem 0 .6rem}
.quotes{display:flex;flex-wrap:wrap;gap:.8rem}
.quote{flex:1 1 18rem;background:#f6f6f6;border-left:4px solid #0072B2;padding:.5rem .7rem}
.quote .where{font-size:.8rem;color:#555}
.quote blockquote{margin:.3rem 0;font-style:italic}
.numbers{font-size:.85rem;color:#555}
table{border-collapse:collapse} td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
"""


def render_report(findings: pd.DataFrame, documents: pd.DataFrame, summary: pd.DataFrame,
                  lint: pd.DataFrame | None = None,
                  crosscheck: pd.DataFrame | None = None, pages: dict | None = None) -> str:
    """A self-contained HTML page; every text taken from the documents is escaped. `pages`
    gives the PDF page of an observation, where its document came as a PDF."""
    pages = pages or {}
    titles = dict(zip(documents["document_id"], documents["title"]))
    unique = findings.drop_duplicates("finding_id")
    counts = unique.groupby(["rule", "severity"]).size().reset_index(name="findings")
    parts = ["<!doctype html><html lang='fr'><head><meta charset='utf-8'>",
             "<title>Quality report</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>Quality report: where the documents disagree</h1>",
             f"<p>{len(unique)} findings on {findings['observation_id'].nunique()} observations. "
             "Warnings do not block publication; each finding shows the quotes involved.</p>",
             "<h2>Findings by rule</h2>", _table(counts),
             "<h2>Numbers in the documents</h2>", _table(summary)]
    if lint is not None:
        parts += _lint_section(lint)
    if crosscheck is not None:
        parts += _crosscheck_section(crosscheck)
    for rule, group in findings.groupby("rule", sort=True):
        parts.append(f"<h2 id='{escape(rule)}'>{escape(rule)}</h2>")
        for finding_id, rows in group.groupby("finding_id", sort=False):
            first = rows.iloc[0]
            parts.append(f"<div class='finding'><h3>{escape(first['message'])}</h3>"
                         f"<p class='numbers'>expected {show(first['expected'])} · actual "
                         f"{show(first['actual'])} · difference {show(first['difference'])} · "
                         f"tolerance {show(first['tolerance'])}"
                         + (f" · declared at {escape(str(first['declared_at']))}"
                            if pd.notna(first["declared_at"]) else "")
                         + "</p><div class='quotes'>")
            for r in rows.itertuples():
                parts.append(
                    f"<div class='quote'><div class='where'>{escape(r.role)} · document "
                    f"{escape(r.document_id)} ({escape(titles.get(r.document_id, ''))}), line "
                    f"{r.line}"
                    + (f", page {int(pages[r.observation_id])}"
                       if pd.notna(pages.get(r.observation_id)) else "")
                    + f" · value {show(r.value)}</div>"
                    f"<blockquote>{escape(r.quote)}</blockquote></div>")
            parts.append("</div></div>")
    parts.append("<p><a href='gx/index.html'>Great Expectations Data Docs</a></p></body></html>")
    return "\n".join(parts)


def _crosscheck_section(compared: pd.DataFrame) -> list[str]:
    """The documents' poverty rates beside the official values: agreement and disagreement."""
    counts = compared["verdict"].value_counts()
    parts = ["<h2 id='official'>Official cross-check (EU-SILC, ESSPROS)</h2>",
             "<p>" + " · ".join(f"{escape(k)}: {v}" for k, v in counts.items()) + "</p>",
             "<table><tr><th>verdict</th><th>figure</th><th>period</th><th>ours</th>"
             "<th>official</th><th>year</th><th>source</th><th>quote</th><th>note</th></tr>"]
    order = {"differs": 0, "agrees": 1, "year not stated": 2, "no official value": 3}
    for r in compared.sort_values("verdict", key=lambda v: v.map(order)).itertuples():
        official = "" if pd.isna(r.official_value) else show(r.official_value)
        source = (f"<a href='{escape(r.source_url)}'>{escape(str(r.source_publisher))}</a>"
                  if isinstance(r.source_url, str) and r.source_url else "")
        note = "; ".join(x for x in (r.note, r.other_definitions and
                                     f"other definitions: {r.other_definitions}",
                                     r.matching_years and f"agreeing years: {r.matching_years}")
                         if isinstance(x, str) and x)
        parts.append(f"<tr class='{escape(r.verdict.replace(' ', '_'))}'>"
                     f"<td>{escape(r.verdict)}</td><td>{escape(r.observation_id)}</td>"
                     f"<td>{escape(r.period)}</td><td>{show(r.value)}</td><td>{official}</td>"
                     f"<td>{escape(str(r.official_year or ''))}</td><td>{source}</td>"
                     f"<td>{escape(r.quote)}</td><td>{escape(note)}</td></tr>")
    parts.append("</table>")
    return parts


def _lint_section(lint: pd.DataFrame) -> list[str]:
    """Register lint: what is left to look at, then what the registers accept, with the reason."""
    open_, accepted = lint[lint["status"] == "open"], lint[lint["status"] == "accepted"]
    parts = ["<h2 id='register_lint'>Register lint</h2>",
             f"<p>{len(open_)} reading(s) left to look at; {len(accepted)} accepted by their "
             "register entry, with the reason.</p>"]
    for title, rows, column in (("Left to look at", open_, "message"),
                                ("Accepted", accepted, "accepted")):
        if rows.empty:
            continue
        shown = rows[["rule", "observation_id", "quote", "message"]].copy()
        if column == "accepted":
            shown["reason"] = rows["accepted"]
        parts += [f"<h3>{title}</h3>", _table(shown)]
    return parts


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


PAGE_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
pre{font:13px/1.45 ui-monospace,monospace;white-space:pre-wrap;margin:0}
.line{display:block} .line:target{background:#fff3b0}
.page{color:#888;border-top:1px solid #ccc;margin-top:.4rem}
.line a{display:inline-block;width:4.5em;color:#888;text-decoration:none;user-select:none}
"""


def document_pages(documents: pd.DataFrame, lines_of) -> dict[str, str]:
    """Each source document as a page whose lines can be linked (`000.html#L603`), and an
    index of them; every text is escaped."""
    pages = {}
    items = []
    for doc in documents.to_dict("records"):
        doc_id = doc["document_id"]
        lines, body = lines_of(doc_id), []
        page_of = line_pages(lines) if pd.notna(doc.get("pages")) else None
        for n, text in enumerate(lines, start=1):
            if page_of and text == PAGE_BREAK:  # a PDF page ends; page_of[n]: the next line's
                body.append(f"<span class='line page' id='p{page_of[n]}'><a href='#L{n}'>{n}</a>"
                            f"— page {page_of[n]} —</span>")
                continue
            body.append(f"<span class='line' id='L{n}'><a href='#L{n}'>{n}</a>{escape(text)}</span>")
        body = "".join(body)
        pages[f"{doc_id}.html"] = (
            f"<!doctype html><html lang='{escape(doc['language'])}'><head><meta charset='utf-8'>"
            f"<title>{escape(doc['title'])}</title><style>{PAGE_STYLE}</style></head><body>"
            f"<h1>{escape(doc_id)} · {escape(doc['title'])}</h1><p>{escape(doc['publisher'])}, "
            f"{escape(str(doc['published']))} · SHA-256 {escape(doc['sha256'])}"
            + (f" · text of the PDF {escape(doc['pdf_file'])} ({int(doc['pages'])} pages, SHA-256 "
               f"{escape(doc['pdf_sha256'])})" if pd.notna(doc.get("pages")) else "") + "</p>"
            f"<pre>{body}</pre></body></html>")
        items.append(f"<li><a href='{escape(doc_id)}.html'>{escape(doc_id)}</a> "
                     f"{escape(doc['title'])}</li>")
    pages["index.html"] = ("<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
                           f"<title>Documents</title><style>{PAGE_STYLE}</style></head><body>"
                           f"<h1>Documents</h1><ul>{''.join(items)}</ul></body></html>")
    return pages
