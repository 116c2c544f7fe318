"""Every poverty rate (and ESSPROS share of GDP) of the documents beside the official value of the
same survey year and definition: agree within the rounding of both, differ, or cannot say."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from sources.register import read_plain_yaml

COLUMNS = ["observation_id", "indicator", "geo", "breakdown", "unit", "period", "period_basis",
           "value", "quote", "document_id", "line", "definition", "official_value",
           "official_year", "official_income_year", "source_publisher", "source_kind",
           "source_url", "read_on", "difference", "tolerance", "verdict", "other_values",
           "other_definitions", "matching_years", "note"]
BREAK_YEAR = 2019  # Statbel: EU-SILC figures up to 2018 are not comparable with those from 2019
ESSPROS = Path(__file__).resolve().parent.parent / "sources" / "esspros.yaml"


def definition_of(indicator: str, published: int, observation_id: str, esspros: dict) -> str:
    """The definition a document's figure uses: AROPE changed definition with EU-SILC 2021
    (Europe 2030 target), so a document published before 2021 uses the Europe 2020 one; an
    ESSPROS share is of total expenditure or of benefits as sources/esspros.yaml reads it."""
    if indicator in ("arope_rate", "child_arope_rate"):
        return "AROPE_EU2020" if published < 2021 else "AROPE_EU2030"
    if indicator in esspros and indicator.endswith("_gdp_share"):
        mapping = esspros[indicator]
        item = (mapping.get("item_by_observation") or {}).get(observation_id, mapping["item"])
        return {"TOTAL_EXP": "ESSPROS_TOTAL", "BENEFITS": "ESSPROS_BENEFITS"}[item]
    return {"at_risk_of_poverty_rate": "AROP", "poverty_threshold": "THRESHOLD"}.get(indicator,
                                                                                      "")


def crosscheck_table(observations: pd.DataFrame, documents: pd.DataFrame,
                     reference: pd.DataFrame) -> pd.DataFrame:
    """One row per document figure of an indicator the reference table covers, with the official
    value of the same geo, breakdown, unit, definition and year where there is one."""
    published = dict(zip(documents["document_id"], documents["published"].astype(int)))
    esspros = read_plain_yaml(ESSPROS)["esspros"]
    known = set(reference["indicator"])
    ordered = reference.assign(order=(reference["source_kind"] != "official").astype(int)) \
        .sort_values(["order", "source_url", "reference_line"])
    rows = []
    for obs in observations.itertuples(index=False):
        if obs.indicator not in known:
            continue
        definition = definition_of(obs.indicator, published[obs.document_id],
                                   obs.observation_id, esspros)
        alike = ordered[(ordered["indicator"] == obs.indicator) & (ordered["geo"] == obs.geo)
                        & (ordered["breakdown"] == obs.breakdown) & (ordered["unit"] == obs.unit)]
        same = alike[alike["definition"] == definition]
        year = obs.period[:4]
        other = alike[(alike["definition"] != definition) & (alike["survey_year"] == year)]
        row = {c: getattr(obs, c) for c in ["observation_id", "indicator", "geo", "breakdown",
                                             "unit", "period", "period_basis", "value", "quote",
                                             "document_id", "line"]}
        row["definition"] = definition
        tolerance = lambda ref: obs.half_unit + ref["half_unit"]  # noqa: E731
        agreeing = sorted({r["survey_year"] for _, r in same.iterrows()
                           if abs(obs.value - r["value"]) <= tolerance(r) + 1e-9})
        row["matching_years"] = ", ".join(agreeing)
        of_year = same[same["survey_year"] == year]
        notes = []
        if obs.period_basis == "not_stated":
            row["verdict"] = "year not stated"
            notes.append(f"the document gives no survey year; {len(agreeing)} year(s) of the "
                         f"official series agree with {obs.value:g}")
        elif of_year.empty:
            row["verdict"] = "no official value"
        if not of_year.empty:
            best = of_year.iloc[0]
            row.update({"official_value": best["value"], "official_year": best["survey_year"],
                        "official_income_year": best["income_year"],
                        "source_publisher": best["source_publisher"],
                        "source_kind": best["source_kind"], "source_url": best["source_url"],
                        "read_on": best["read_on"], "difference": obs.value - best["value"],
                        "tolerance": tolerance(best)})
            if "verdict" not in row:
                row["verdict"] = ("agrees" if abs(row["difference"]) <= row["tolerance"] + 1e-9
                                  else "differs")
            others = of_year.iloc[1:]
            row["other_values"] = "; ".join(f"{r['value']:g} ({r['source_publisher']})"
                                            for _, r in others.iterrows())
        row["other_definitions"] = "; ".join(
            f"{r['value']:g} ({r['definition']}, {r['source_publisher']})"
            for _, r in other.iterrows())
        if not definition.startswith("ESSPROS") and year.isdigit() and int(year) >= BREAK_YEAR \
                and any(int(y) < BREAK_YEAR for y in agreeing):
            notes.append(f"break in series in {BREAK_YEAR}: earlier years are not comparable")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
