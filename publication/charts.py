"""Charts for communication staff: one house style, French and Dutch, PNG + SVG + alt text + CSV.

Which charts exist is declared in `publication/charts.yaml`. Two forms:
- `trend`: one series over time (a line with a label on every point);
- `bars`: the categories of one period side by side (by region or by a breakdown dimension),
  sorted, each bar labelled with its value.
The title states the message, computed from the data; the subtitle gives measure, geography and
period; the source line names the documents and lines.
"""
from __future__ import annotations

import base64
import textwrap
from io import BytesIO
from pathlib import Path

import pandas as pd
import yaml
from babel.numbers import format_decimal

from publication.files import atomic_path, write_text

SPECS = Path(__file__).resolve().parent / "charts.yaml"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
INK, MUTED, GRID = "#222222", "#595959", "#dddddd"
LOCALES = {"fr": "fr_BE", "nl": "nl_BE"}
WORDS = {
    "fr": {"up": "hausse", "down": "baisse", "flat": "stabilité", "source": "Source : ",
           "line": "ligne", "lines": "lignes", "sep": " ; ",
           "trend": "{label} : {trend} de {pct} % entre {start} et {end}",
           "trend_points": "{label} : {trend} de {pct} points entre {start} et {end}",
           "bars": "{label} : {top} en tête ({value}) en {period}",
           "alt_trend": "Graphique linéaire. {subject}, {geo}, de {start} à {end} : {points}.",
           "alt_bars": "Graphique en barres horizontales. {subject}, {geo}, {period} : {points}.",
           "point": "{value} en {period}", "bar": "{category} {value}"},
    "nl": {"up": "stijging", "down": "daling", "flat": "status quo", "source": "Bron: ",
           "line": "regel", "lines": "regels", "sep": "; ",
           "trend": "{label}: {trend} met {pct} % tussen {start} en {end}",
           "trend_points": "{label}: {trend} met {pct} procentpunt tussen {start} en {end}",
           "bars": "{label}: {top} op kop ({value}) in {period}",
           "alt_trend": "Lijngrafiek. {subject}, {geo}, van {start} tot {end}: {points}.",
           "alt_bars": "Horizontaal staafdiagram. {subject}, {geo}, {period}: {points}.",
           "point": "{value} in {period}", "bar": "{category} {value}"},
}


def load_specs(path: Path = SPECS) -> list[dict]:
    """The chart declarations: chart_id, family, form, indicator and the selection."""
    specs = yaml.safe_load(path.read_text(encoding="utf-8"))["charts"]
    ids = [s["chart_id"] for s in specs]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: chart ids must be unique")
    return specs


def fmt(value: float, lang: str, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def fmt_value(value: float, unit: str, lang: str, decimals: int) -> str:
    text = fmt(value, lang, decimals)
    if unit == "percent":
        return f"{text} %"
    if unit == "eur":
        return f"{text} €"
    return text


def select_points(series: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The series points a chart draws (stated points only: derived ones are not charted)."""
    rows = series[(series["indicator"] == spec["indicator"])
                  & (series["measure"] == spec.get("measure", "level"))
                  & (series["kind"] != "derived")]
    if spec.get("unit"):
        rows = rows[rows["unit"] == spec["unit"]]
    if "entity" in spec:
        rows = rows[rows["entity"] == spec["entity"]]
    if rows.empty:
        return rows
    if spec["form"] == "trend":
        rows = rows[(rows["geo"] == spec.get("geo", "BE"))
                    & (rows["breakdown"] == spec.get("breakdown", ""))]
        if spec.get("periods") == "years":
            rows = rows[rows["period"].str.fullmatch(r"\d{4}")]
        elif spec.get("periods") == "months":
            rows = rows[rows["period"].str.fullmatch(r"\d{4}-\d{2}")]
        return rows.sort_values("period")
    by = spec["by"]
    if by == "geo":
        rows = rows[(rows["geo"] != "BE") & (rows["breakdown"] == spec.get("breakdown", ""))]
        rows = rows.assign(category=rows["geo"])
    else:
        rows = rows[rows["geo"] == spec.get("geo", "BE")]
        pairs = rows["breakdown"].str.split(";")
        fixed = {f"{k}={v}" for k, v in (spec.get("fixed") or {}).items()}
        keep = pairs.map(lambda ps: any(p.startswith(f"{by}=") for p in ps)
                         and set(ps) - {p for p in ps if p.startswith(f"{by}=")} == fixed)
        rows = rows[keep]
        rows = rows.assign(category=rows["breakdown"].str.extract(rf"(?:^|;){by}=([^;]+)")[0])
    if rows.empty:
        return rows
    period = spec.get("period") or rows.groupby("period").size().sort_index().index[-1]
    return rows[rows["period"] == str(period)].sort_values("value", ascending=False)


def category_label(value: str, by: str, lang: str, labels: dict) -> str:
    if by == "geo":
        return labels["geos"].get(value, {}).get(lang, value)
    named = labels["breakdowns"].get(by, {}).get(value)
    return named[lang] if named else value.replace("_", " ")


def chart_texts(spec: dict, points: pd.DataFrame, indicator: dict, labels: dict,
                documents: pd.DataFrame, lang: str) -> dict:
    """Title (the message), subtitle (measure, geography, period), source line and alt text."""
    w = WORDS[lang]
    label = spec.get("label", {}).get(lang) or indicator[f"label_{lang}"]
    unit = points["unit"].iloc[0]
    decimals = _decimals(indicator, points)
    geo_code = spec.get("geo", "BE")
    geo = labels["geos"].get(geo_code, {}).get(lang, geo_code)
    unit_label = labels["units"][unit][lang]
    if spec["form"] == "trend":
        first, last = points.iloc[0], points.iloc[-1]
        if unit == "percent":
            change, template = last["value"] - first["value"], w["trend_points"]
        else:
            change = (last["value"] / first["value"] - 1) * 100 if first["value"] else 0.0
            template = w["trend"]
        trend = w["up"] if change > 0.05 else w["down"] if change < -0.05 else w["flat"]
        title = template.format(label=label, trend=trend, pct=fmt(abs(change), lang, 1),
                                start=first["period"], end=last["period"])
        span = f"{first['period']}–{last['period']}"
        points_text = ", ".join(w["point"].format(value=fmt_value(v, unit, lang, decimals),
                                                  period=p)
                                for p, v in zip(points["period"], points["value"]))
        alt = w["alt_trend"].format(subject=label, geo=geo, start=first["period"],
                                    end=last["period"], points=points_text)
    else:
        top = points.iloc[0]
        period = top["period"]
        name = category_label(top["category"], spec["by"], lang, labels)
        title = w["bars"].format(label=label, top=name, period=period,
                                 value=fmt_value(top["value"], unit, lang, decimals))
        span = period
        if spec["by"] == "geo":
            geo = {"fr": "régions de Belgique", "nl": "gewesten van België"}[lang]
        points_text = ", ".join(w["bar"].format(
            category=category_label(c, spec["by"], lang, labels),
            value=fmt_value(v, unit, lang, decimals)) for c, v in zip(points["category"],
                                                                       points["value"]))
        alt = w["alt_bars"].format(subject=label, geo=geo, period=period, points=points_text)
    subtitle = f"{unit_label[:1].upper() + unit_label[1:]}, {geo}, {span}"
    return {"title": title, "subtitle": subtitle, "alt": f"{alt} {title}.",
            "source": w["source"] + w["sep"].join(_sources(points, documents, w))}


def _decimals(indicator: dict, points: pd.DataFrame) -> int:
    if pd.notna(indicator.get("decimals")):
        return int(indicator["decimals"])
    return 0 if (points["value"] % 1 == 0).all() else 1


def _sources(points: pd.DataFrame, documents: pd.DataFrame, w: dict) -> list[str]:
    docs = documents.set_index("document_id")
    out = []
    for doc_id, rows in points.groupby("document_id", sort=False):
        nums = sorted({int(n) for n in rows["line"]})
        word = w["line"] if len(nums) == 1 else w["lines"]
        out.append(f"{docs.loc[doc_id, 'title']} ({docs.loc[doc_id, 'publisher']}), {word} "
                   + ", ".join(map(str, nums)))
    return out


def _figure(texts: dict, height: float = 4.5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "sesam",
                         "axes.spines.top": False, "axes.spines.right": False})
    fig, ax = plt.subplots(figsize=(8, height))
    title_lines = textwrap.wrap(texts["title"], 64)
    y = 1 - 0.18 / height
    fig.text(0.02, y, "\n".join(title_lines), ha="left", va="top", fontsize=14,
             fontweight="bold", color=INK, linespacing=1.25)
    y -= (0.3 * len(title_lines) + 0.06) / height
    fig.text(0.02, y, texts["subtitle"], ha="left", va="top", fontsize=10.5, color=MUTED)
    source = textwrap.wrap(texts["source"], 120)
    fig.text(0.02, 0.1 / height, "\n".join(source), ha="left", va="bottom", fontsize=8,
             color=MUTED)
    return fig, ax, y - 0.5 / height, (0.45 + 0.15 * len(source)) / height


def draw_trend(points: pd.DataFrame, texts: dict, lang: str, decimals: int):
    fig, ax, top, bottom = _figure(texts)
    x = list(range(len(points)))
    unit = points["unit"].iloc[0]
    ax.plot(x, points["value"], color=PALETTE[0], linewidth=2.5, marker="o", markersize=7)
    for xi, v in zip(x, points["value"]):
        ax.annotate(fmt_value(v, unit, lang, decimals), (xi, v), textcoords="offset points",
                    xytext=(0, 10), ha="center", color=INK, fontsize=10.5, fontweight="bold")
    ax.set_xticks(x, points["period"])
    ax.set_xlim(-0.5, len(points) - 0.5)
    low, high = points["value"].min(), points["value"].max()
    pad = (high - low) * 0.25 or abs(high) * 0.05 or 1
    ax.set_ylim(min(0, low - pad) if unit == "percent" else low - pad, high + pad)
    ax.yaxis.set_major_formatter(lambda v, _: fmt(v, lang))
    ax.tick_params(colors=MUTED)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    fig.subplots_adjust(left=0.12, right=0.97, top=top, bottom=bottom + 0.08)
    return fig


def draw_bars(points: pd.DataFrame, names: list[str], texts: dict, lang: str, decimals: int):
    height = max(3.6, 2.2 + 0.38 * len(points))
    fig, ax, top, bottom = _figure(texts, height)
    unit = points["unit"].iloc[0]
    y = list(range(len(points)))[::-1]
    ax.barh(y, points["value"], color=PALETTE[0], height=0.65)
    high = points["value"].max()
    for yi, v in zip(y, points["value"]):
        ax.text(v + high * 0.01, yi, fmt_value(v, unit, lang, decimals), va="center",
                ha="left", color=INK, fontsize=10, fontweight="bold")
    ax.set_yticks(y, ["\n".join(textwrap.wrap(n, 30)[:2]) for n in names])
    ax.set_xlim(0, high * 1.18 if high > 0 else 1)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(colors=INK, length=0)
    fig.subplots_adjust(left=0.36, right=0.97, top=top, bottom=bottom)
    return fig


def thumbnail_markdown(fig, name: str, dpi: int = 40) -> str:
    """A small inline PNG of `fig`, as Markdown the Dagster UI renders in metadata."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return f"![{name}](data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()})"


CSV_COLUMNS = ["indicator", "geo", "breakdown", "period", "value", "unit", "kind", "qualifier",
               "document_id", "line", "quote"]


def fingerprint(spec: dict, points: pd.DataFrame, labels: dict) -> str:
    """What a chart's files depend on: its data, its declaration, labels and this module."""
    import hashlib
    import json

    digest = hashlib.sha256(points[CSV_COLUMNS].to_csv(index=False).encode())
    digest.update(json.dumps([spec, labels], sort_keys=True, default=str).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def render_chart(spec: dict, series: pd.DataFrame, indicators: pd.DataFrame,
                 documents: pd.DataFrame, labels: dict, out_dir: Path,
                 previous: dict | None = None) -> dict | None:
    """Write one chart in both languages; None when it has too little data to draw.

    When `previous` (what an earlier run drew) has the same fingerprint and its files are all
    there, nothing is redrawn and `previous` is returned.
    """
    points = select_points(series, spec)
    if len(points) < 2:
        return None
    key = fingerprint(spec, points, labels)
    if previous and previous.get("fingerprint") == key and all(
            (out_dir / f).is_file() for f in previous["files"].values()):
        return {**previous, "redrawn": False}
    import matplotlib.pyplot as plt

    indicator = indicators.set_index("indicator").loc[spec["indicator"]].to_dict()
    decimals = _decimals(indicator, points)
    out_dir.mkdir(parents=True, exist_ok=True)
    made = {"chart_id": spec["chart_id"], "family": spec["family"], "texts": {}, "files": {},
            "fingerprint": key, "redrawn": True}
    with atomic_path(out_dir / f"{spec['chart_id']}.csv") as tmp:
        points[CSV_COLUMNS].to_csv(tmp, index=False)
    made["files"]["csv"] = f"{spec['chart_id']}.csv"
    for lang in LOCALES:
        texts = chart_texts(spec, points, indicator, labels, documents, lang)
        if spec["form"] == "trend":
            fig = draw_trend(points, texts, lang, decimals)
        else:
            names = [category_label(c, spec["by"], lang, labels) for c in points["category"]]
            fig = draw_bars(points, names, texts, lang, decimals)
        stem = f"{spec['chart_id']}_{lang}"
        for ext, options in (("png", {"dpi": 300}), ("svg", {"metadata": {"Date": None}})):
            with atomic_path(out_dir / f"{stem}.{ext}") as tmp:
                fig.savefig(tmp, format=ext, **options)
            made["files"][f"{ext}_{lang}"] = f"{stem}.{ext}"
        if lang == "fr":
            made["thumbnail"] = thumbnail_markdown(fig, spec["chart_id"])
        plt.close(fig)
        write_text(texts["alt"] + "\n", out_dir / f"{stem}.txt")
        made["files"][f"alt_{lang}"] = f"{stem}.txt"
        made["texts"][lang] = texts
    return made
