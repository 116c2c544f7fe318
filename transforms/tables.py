"""Turn the checked registers into the tidy tables loaded into the warehouse."""
from __future__ import annotations

import pandas as pd

from sources.lint import lint_figures
from sources.register import Register, coverage
from transforms.precision import half_unit

OBSERVATION_COLUMNS = [
    "observation_id", "indicator", "period", "period_basis", "period_line", "geo", "entity",
    "breakdown", "value", "unit", "kind", "qualifier", "obs_status", "base_period", "document_id",
    "document_sha256", "line", "column", "page", "quote", "number_text", "half_unit", "repeats", "note",
    "register_file", "register_line",
]


def documents_table(register: Register) -> pd.DataFrame:
    """One row per catalogued document (drafts from make intake aside), with the checksum its
    text was verified against and, for a document received as PDF, the PDF's."""
    rows = []
    for doc in map(register.catalogues.documents.get, register.catalogues.published_documents):
        register.catalogues.document_text(doc["id"])  # refuses a tampered document
        citation = doc.get("citation") or {}
        rows.append({"document_id": doc["id"], "file": doc["path"].name, "title": doc["title"],
                     "title_nl": doc.get("title_nl") or doc["title"],
                     "citation_fr": citation.get("fr") or doc["title"],
                     "citation_nl": citation.get("nl") or doc.get("title_nl") or doc["title"],
                     "publisher": doc["publisher"], "period_covered": str(doc["period_covered"]),
                     "kind": doc["kind"], "language": doc["language"],
                     "published": str(doc["published"]), "sha256": doc["sha256"],
                     "lines": len(register.catalogues.document_lines(doc["id"])),
                     "pdf_file": doc.get("pdf"), "pdf_sha256": doc.get("pdf_sha256"),
                     "pages": doc.get("pages")})
    return pd.DataFrame(rows).astype({"pages": "Int64", "pdf_file": "string",
                                      "pdf_sha256": "string"})


def indicators_table(register: Register) -> pd.DataFrame:
    """One row per indicator of the catalogue, with its labels in three languages."""
    rows = [{"indicator": code, "family": ind["family"], "unit": ind["unit"],
             "decimals": ind.get("decimals"), "share_of": ind.get("share_of"),
             "label_fr": ind["label"]["fr"],
             "label_nl": ind["label"]["nl"], "label_en": ind["label"]["en"],
             "definition": " ".join(str(ind["definition"]).split()),
             "catalogue_file": ind["catalogue_file"]}
            for code, ind in register.catalogues.indicators.items()]
    return pd.DataFrame(rows).astype({"decimals": "Int64"})


def observations_table(register: Register) -> pd.DataFrame:
    """One row per registered figure, with its provenance (the observations contract)."""
    sha = {d: doc["sha256"] for d, doc in register.catalogues.documents.items()}
    rows = [{**{k: fig.get(k) for k in OBSERVATION_COLUMNS if k != "document_sha256"},
             "document_sha256": sha[fig["document_id"]]} for fig in register.figures]
    frame = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)
    frame["half_unit"] = [half_unit(r) for r in frame.to_dict("records")] if len(frame) else []
    return frame.astype({"value": "float64", "line": "int64", "column": "int64",
                         "period_line": "Int64", "register_line": "Int64", "page": "Int64"}).sort_values(
        ["document_id", "line", "column"], ignore_index=True)


def breakdowns_table(observations: pd.DataFrame) -> pd.DataFrame:
    """The breakdowns as (observation_id, dimension, value) pairs, for joins and filters."""
    rows = [{"observation_id": oid, "dimension": dim, "value": val}
            for oid, text in zip(observations["observation_id"], observations["breakdown"]) if text
            for dim, _, val in (pair.partition("=") for pair in text.split(";"))]
    return pd.DataFrame(rows, columns=["observation_id", "dimension", "value"])


LINT_COLUMNS = ["rule", "status", "observation_id", "document_id", "line", "quote", "message",
                "accepted"]


def lint_table(register: Register) -> pd.DataFrame:
    """Register lint findings: `open` (to look at) or `accepted` (the entry says why its reading
    is right, in `accepted`)."""
    rows = lint_figures(register.figures, register.catalogues.document_lines)
    frame = pd.DataFrame(rows, columns=[c for c in LINT_COLUMNS if c != "status"])
    frame.insert(1, "status", ["accepted" if a else "open" for a in frame["accepted"]])
    return frame.astype({"line": "int64"}).sort_values(
        ["status", "document_id", "line", "rule"], ascending=[False, True, True, True],
        ignore_index=True)[LINT_COLUMNS]


def coverage_table(register: Register) -> pd.DataFrame:
    """Every number token of every document: registered, dismissed (with reason) or unaccounted."""
    return pd.DataFrame(coverage(register.catalogues, register.figures, register.dismissed))


def coverage_summary(tokens: pd.DataFrame) -> pd.DataFrame:
    """Per document: how many numbers are registered, dismissed and unaccounted."""
    counts = tokens.pivot_table(index="document_id", columns="status", values="line",
                                aggfunc="count", fill_value=0)
    for status in ("registered", "dismissed", "unaccounted"):
        if status not in counts:
            counts[status] = 0
    counts = counts[["registered", "dismissed", "unaccounted"]].reset_index()
    counts.columns.name = None
    return counts


RULE_COLUMNS = ["rule", "total", "parts", "change", "start", "end", "ratio", "numerator",
                "denominator", "per", "tolerance", "note", "declared_at"]


def rules_table(register: Register) -> pd.DataFrame:
    """The consistency rules declared in the registers; figure references are observation ids,
    lists are JSON text."""
    import json

    rows = []
    for check in register.checks:
        row = {c: check.get(c) for c in RULE_COLUMNS}
        row["declared_at"] = check["where"]
        for c in ("total", "parts", "change", "start", "end", "ratio", "numerator", "denominator"):
            if row[c] is not None:
                row[c] = json.dumps(row[c])
        rows.append(row)
    return pd.DataFrame(rows, columns=RULE_COLUMNS).astype(
        {"per": "float64", "tolerance": "float64"})
