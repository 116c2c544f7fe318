"""Consistency and plausibility findings: where the documents disagree with themselves or each other.

Rules come from declarations in the registers (`checks:`), plus two that need no declaration:
the same figure stated twice must agree, and a series should not jump implausibly.
Tolerances follow the written precision: a figure written "5,1" is known to ±0,05.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from transforms.precision import half_unit
from transforms.series import SERIES_KEY, yearly_levels

FINDING_COLUMNS = ["finding_id", "rule", "severity", "message", "expected", "actual",
                   "difference", "tolerance", "observation_id", "role", "document_id",
                   "document_sha256", "line", "quote", "value", "declared_at"]


def show(value: float, decimals: int | None = None) -> str:
    """A number as the reports print it (fr-BE: '56 484 466,02'), with `decimals` decimals, or
    up to two when None; one format for every message and every findings table."""
    from babel.numbers import format_decimal

    pattern = "#,##0." + "0" * decimals if decimals else "#,##0" if decimals == 0 else "#,##0.##"
    return format_decimal(value, format=pattern, locale="fr_BE")


def _finding(rule: str, message: str, expected: float, actual: float, tolerance: float,
             involved: list[tuple[pd.Series, str]], declared_at: str | None,
             severity: str = "WARN") -> list[dict]:
    finding_id = f"{rule}:" + "+".join(sorted(o["observation_id"] for o, _ in involved))
    return [{"finding_id": finding_id, "rule": rule, "severity": severity, "message": message,
             "expected": float(expected), "actual": float(actual),
             "difference": float(actual - expected), "tolerance": float(tolerance),
             "observation_id": o["observation_id"], "role": role,
             "document_id": o["document_id"], "document_sha256": o["document_sha256"],
             "line": int(o["line"]), "quote": o["quote"], "value": float(o["value"]),
             "declared_at": declared_at} for o, role in involved]


def _ids(value) -> list[str]:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return [value]
        return parsed if isinstance(parsed, list) else [parsed]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def declared_findings(observations: pd.DataFrame, rules: pd.DataFrame) -> list[dict]:
    """Findings of the rules declared in the registers: sum, shares_100, change, ratio, equal."""
    obs = observations.set_index("observation_id", drop=False)
    found: list[dict] = []
    for rule in rules.to_dict("records"):
        where, kind, given = rule["declared_at"], rule["rule"], rule.get("tolerance")
        given = None if given is None or pd.isna(given) else float(given)
        if kind in ("sum", "shares_100"):
            parts = [obs.loc[i] for i in _ids(rule["parts"])]
            actual = sum(p["value"] for p in parts)
            if kind == "sum":
                total = obs.loc[_ids(rule["total"])[0]]
                expected, actual = actual, total["value"]  # computed from the parts; stated
                tol = half_unit(total) + sum(half_unit(p) for p in parts)
                involved = [(total, "total")] + [(p, "part") for p in parts]
                what = f"parts add up to {show(expected)}, the stated total is {show(actual)}"
            else:
                expected, tol = 100.0, sum(half_unit(p) for p in parts)
                involved = [(p, "share") for p in parts]
                what = f"shares add up to {show(actual)} %, not 100 %"
        elif kind == "change":
            change = obs.loc[_ids(rule["change"])[0]]
            start, end = obs.loc[_ids(rule["start"])[0]], obs.loc[_ids(rule["end"])[0]]
            if change["unit"] == "percentage_point_change":
                expected = end["value"] - start["value"]
                tol = half_unit(change) + half_unit(start) + half_unit(end)
            else:
                expected = (end["value"] - start["value"]) / start["value"] * 100
                spread = (half_unit(start) / abs(start["value"]) + half_unit(end) / abs(end["value"]))
                tol = half_unit(change) + abs(100 + expected) * spread
            actual = change["value"]
            involved = [(change, "change"), (start, "start"), (end, "end")]
            what = f"the stated change is {show(actual)}, its two values give {show(expected)}"
        elif kind == "ratio":
            ratio = obs.loc[_ids(rule["ratio"])[0]]
            num, den = obs.loc[_ids(rule["numerator"])[0]], obs.loc[_ids(rule["denominator"])[0]]
            per = float(rule.get("per") or 1)
            expected = num["value"] / den["value"] * per
            tol = half_unit(ratio) + abs(expected) * (half_unit(num) / abs(num["value"])
                                                      + half_unit(den) / abs(den["value"]))
            actual = ratio["value"]
            involved = [(ratio, "ratio"), (num, "numerator"), (den, "denominator")]
            what = f"the stated ratio is {show(actual)}, its parts give {show(expected)}"
        elif kind == "equal":
            parts = [obs.loc[i] for i in _ids(rule["parts"])]
            expected, actual = parts[0]["value"], max((p["value"] for p in parts),
                                                      key=lambda v: abs(v - parts[0]["value"]))
            tol = max(half_unit(p) for p in parts) + approx_margin(parts)
            involved = [(p, "statement") for p in parts]
            what = f"the same figure is stated as {show(expected)} and {show(actual)}"
        else:
            continue
        tol = given if given is not None else tol
        if abs(actual - expected) > tol + 1e-9 * max(1.0, abs(expected)):
            found += _finding(kind, what, expected, actual, tol, involved, where)
    return found


APPROX_MARGIN = 0.05  # "environ 160 000" agrees with 160 722: 5 % either way


def approx_margin(rows) -> float:
    """Extra tolerance when a figure is stated as approximate."""
    if any(r["qualifier"] == "approx" for r in rows):
        return APPROX_MARGIN * max(abs(r["value"]) for r in rows)
    return 0.0


def repeated_figure_findings(observations: pd.DataFrame) -> list[dict]:
    """The same indicator, period, geo, entity, breakdown, unit and kind stated with different
    values; figures whose period the text does not give are compared only where one says it
    repeats the other (`repeat_findings`)."""
    key = ["indicator", "period", "geo", "entity", "breakdown", "unit", "kind", "base_period",
           "bound"]
    found: list[dict] = []
    # the two ends of a stated range ("57 % à 76 %") are not two statements of one figure
    bound = observations["qualifier"].where(
        observations["qualifier"].isin(["lower_bound", "upper_bound"]), "value")
    frame = observations.assign(base_period=observations["base_period"].fillna(""), bound=bound)
    frame = frame[frame["period_basis"] != "not_stated"]
    for _, group in frame.groupby(key, sort=True):
        if len(group) < 2:
            continue
        rows = sorted((r for _, r in group.iterrows()),
                      key=lambda r: (r["document_id"], r["line"], r["column"]))
        first = rows[0]
        other = max(rows[1:], key=lambda r: abs(r["value"] - first["value"]))
        tol = half_unit(first) + half_unit(other) + approx_margin(rows)
        if abs(other["value"] - first["value"]) > tol + 1e-9 * max(1.0, abs(other["value"])):
            docs = sorted({r["document_id"] for r in rows})
            scope = "two documents" if len(docs) > 1 else "one document, twice"
            what = (f"{first['indicator']} {first['period']} {first['geo']} "
                    f"{first['breakdown'] or '(total)'} is stated as {show(first['value'])} and "
                    f"{show(other['value'])} ({scope})")
            found += _finding("same_figure", what, first["value"], other["value"], tol,
                              [(r, "statement") for r in rows], None)
    return found


def repeat_findings(observations: pd.DataFrame) -> list[dict]:
    """A figure registered as repeating another (`repeats`) with a different value."""
    obs = observations.set_index("observation_id", drop=False)
    found: list[dict] = []
    for r in observations[observations["repeats"] != ""].to_dict("records"):
        main = obs.loc[r["repeats"]]
        tol = half_unit(main) + half_unit(r) + approx_margin([main, r])
        if abs(r["value"] - main["value"]) > tol + 1e-9 * max(1.0, abs(main["value"])):
            what = (f"{r['indicator']} {r['period']}: line {r['line']} repeats line {main['line']} "
                    f"as {show(r['value'])}, stated there as {show(main['value'])}")
            found += _finding("repeat", what, main["value"], r["value"], tol,
                              [(main, "statement"), (pd.Series(r), "repeat")], None)
    return found


def jump_findings(series: pd.DataFrame, threshold: float = 0.5) -> list[dict]:
    """Plausibility: a level that moves by more than `threshold` (50 %) between consecutive years."""
    yearly = yearly_levels(series)
    prev = yearly.groupby(SERIES_KEY, sort=False)[["period", "value"]].shift(1)
    following = (yearly["period"].astype(int) - pd.to_numeric(prev["period"])) == 1
    nonzero = prev["value"].notna() & (prev["value"] != 0)
    percent = yearly["unit"] == "percent"
    moved = ((percent & ((yearly["value"] - prev["value"]).abs() > 100 * threshold / 2))
             | (~percent & ((yearly["value"] / prev["value"] - 1).abs() > threshold)))
    records = yearly.to_dict("records")
    found: list[dict] = []
    for i in np.flatnonzero((following & nonzero & moved).to_numpy()):
        prev_row, cur = records[i - 1], records[i]
        what = (f"{cur['indicator']} {cur['geo']} {cur['breakdown'] or '(total)'} goes from "
                f"{show(prev_row['value'])} in {prev_row['period']} to {show(cur['value'])} in "
                f"{cur['period']}")
        found += _finding("plausibility_jump", what, prev_row["value"], cur["value"], 0.0,
                          [(pd.Series(prev_row), "previous"), (pd.Series(cur), "current")], None)
    return found


def derived_findings(vintages: pd.DataFrame) -> list[dict]:
    """A point implied by a change or a share, compared with the figure stated for that point."""
    found: list[dict] = []
    key = SERIES_KEY + ["period"]
    level = vintages[vintages["measure"] == "level"]
    with_derived = level.loc[level["kind"] == "derived", key].dropna().drop_duplicates()
    for _, group in level.merge(with_derived, on=key).groupby(key):
        derived = group[group["kind"] == "derived"]
        stated = group[group["kind"] != "derived"]
        if derived.empty or stated.empty:
            continue
        s = stated.iloc[0]
        for d in derived.to_dict("records"):
            tol = d["half_unit"] + s["half_unit"] + approx_margin([s, d])
            if abs(d["value"] - s["value"]) > tol + 1e-9 * max(1.0, abs(s["value"])):
                what = (f"{s['indicator']} {s['period']} {s['geo']} is stated as "
                        f"{show(s['value'])}; {d['formula']} gives {show(d['value'])}")
                src = pd.Series({**d, "observation_id": f"derived:{d['derived_from']}"})
                found += _finding("derived_vs_stated", what, d["value"], s["value"], tol,
                                  [(s, "stated"), (src, "derived")], None)
    return found


def findings_table(observations: pd.DataFrame, rules: pd.DataFrame,
                   series: pd.DataFrame | None = None,
                   vintages: pd.DataFrame | None = None) -> pd.DataFrame:
    """All findings, one row per finding and involved observation."""
    rows = (declared_findings(observations, rules) + repeated_figure_findings(observations)
            + repeat_findings(observations))
    if series is not None:
        rows += jump_findings(series)
    if vintages is not None:
        rows += derived_findings(vintages)
    return one_per_disagreement(pd.DataFrame(rows, columns=FINDING_COLUMNS))


def one_per_disagreement(findings: pd.DataFrame) -> pd.DataFrame:
    """A disagreement found by two rules (a declared `equal` and a `repeats` link) or from two
    statements of the same derivation is kept once: the first finding of each set of observations
    and values."""
    if findings.empty:
        return findings
    ids = findings.groupby("finding_id")["observation_id"].agg(lambda s: "+".join(sorted(s)))
    first = findings.drop_duplicates("finding_id").assign(
        involved=lambda f: f["finding_id"].map(ids),
        values=lambda f: f["expected"].round(6).astype(str) + "/" + f["actual"].round(6).astype(str))
    by_rows = first.drop_duplicates("involved")
    keep = by_rows.drop_duplicates(["message", "values"])["finding_id"]
    return findings[findings["finding_id"].isin(set(keep))].reset_index(drop=True)
