"""Official reference values (Statbel, Eurostat and the federal services that republish them),
kept under sources/reference/ with their SHA-256 like a document, each value with the address of
the page it was read from and the date it was read."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from sources.register import RegisterError, read_plain_yaml, sha256_of

CATALOGUE = "references.yaml"
COLUMNS = ["indicator", "geo", "breakdown", "unit", "survey_year", "income_year", "definition",
           "value", "source_url", "source_publisher", "source_kind", "words", "read_on", "note"]
DEFINITIONS = {
    "AROP": "at-risk-of-poverty rate: income below 60 % of the national median equivalised income",
    "AROPE_EU2020": "at risk of poverty or social exclusion, Europe 2020 definition (income "
                    "poverty, severe material deprivation, very low work intensity 0-59)",
    "AROPE_EU2030": "at risk of poverty or social exclusion, 2030 definition (income poverty, "
                    "severe material and social deprivation, very low work intensity 0-64)",
    "THRESHOLD": "poverty threshold: 60 % of the national median equivalised income",
    "ESSPROS_TOTAL": "total social protection expenditure (ESSPROS) as a share of GDP",
    "ESSPROS_BENEFITS": "social protection benefits (ESSPROS) as a share of GDP"}
SOURCE_KINDS = {"official": "published by Statbel, Eurostat or a federal public service",
                "press": "a press article quoting Statbel or Eurostat"}


def load_reference(root: Path, indicators: dict, units: dict, geos: dict) -> pd.DataFrame:
    """Every reference value, its file checked against the catalogue's SHA-256 and each row
    against the indicator catalogue and vocabulary; bad input names the file and the row."""
    catalogue = root / CATALOGUE
    try:
        entries = read_plain_yaml(catalogue)["references"]
    except (RegisterError, KeyError, TypeError) as exc:
        raise RegisterError(f"{catalogue}: cannot read the references catalogue ({exc})") from None
    frames = []
    for entry in entries:
        path = root / entry["file"]
        if not path.is_file():
            raise RegisterError(f"{catalogue}: reference {entry['id']}: file {path} is missing")
        if sha256_of(path) != entry["sha256"]:
            raise RegisterError(f"reference {entry['id']} ({path.name}) has been modified: "
                                f"SHA-256 is {sha256_of(path)}, {catalogue.name} records "
                                f"{entry['sha256']}")
        frames.append(_rows(path, entry["id"], indicators, units, geos))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def _rows(path: Path, reference: str, indicators: dict, units: dict, geos: dict) -> pd.DataFrame:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    if rows and set(COLUMNS) - set(rows[0]):
        raise RegisterError(f"{path}: missing column(s) {sorted(set(COLUMNS) - set(rows[0]))}")
    out = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{path} line {number}"
        checks = [(row["indicator"] in indicators, f"unknown indicator {row['indicator']!r}"),
                  (row["unit"] in units, f"unknown unit {row['unit']!r}"),
                  (row["geo"] in geos, f"unknown geo {row['geo']!r}"),
                  (row["definition"] in DEFINITIONS, f"unknown definition {row['definition']!r}"),
                  (row["source_kind"] in SOURCE_KINDS,
                   f"source_kind must be one of {sorted(SOURCE_KINDS)}"),
                  (row["source_url"].startswith(("http://", "https://")),
                   "source_url must be the address of the page the value was read from"),
                  (row["survey_year"].isdigit(), "survey_year must be a year")]
        for ok, message in checks:
            if not ok:
                raise RegisterError(f"{where}: {message}")
        try:
            value = float(row["value"])
        except ValueError:
            raise RegisterError(f"{where}: value {row['value']!r} is not a number") from None
        decimals = len(row["value"].split(".")[1]) if "." in row["value"] else 0
        out.append({**{c: row[c] for c in COLUMNS}, "value": value,
                    "half_unit": 0.5 * 10 ** -decimals, "reference": reference,
                    "reference_line": number})
    return pd.DataFrame(out)
