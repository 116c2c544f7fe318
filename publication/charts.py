"""Charts for communication staff: one house style, French and Dutch, PNG + SVG + alt text + CSV."""
from __future__ import annotations

import base64
import textwrap
from io import BytesIO
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from babel.numbers import format_decimal

from publication.files import atomic_path, write_text

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
INK, MUTED = "#222222", "#666666"
LOCALES = {"fr": "fr_BE", "nl": "nl_BE"}
WORDS = {
    "fr": {"up": "hausse", "down": "baisse", "flat": "stabilité", "between": "entre", "and": "et",
           "source": "Source", "line": "ligne", "lines": "lignes", "of": "de",
           "message": "{label} : {trend} de {pct} % entre {start} et {end}",
           "alt": "Graphique linéaire. {label}, {geo}, de {start} à {end}. {points}.",
           "point": "{value} en {period}"},
    "nl": {"up": "stijging", "down": "daling", "flat": "status quo", "between": "tussen",
           "and": "en", "source": "Bron", "line": "regel", "lines": "regels", "of": "van",
           "message": "{label}: {trend} met {pct} % tussen {start} en {end}",
           "alt": "Lijngrafiek. {label}, {geo}, van {start} tot {end}. {points}.",
           "point": "{value} in {period}"},
}
GEO_NAMES = {"BE": {"fr": "Belgique", "nl": "België"}}


@dataclass(frozen=True)
class ChartSpec:
    """One chart: which series it draws."""

    chart_id: str
    indicator: str
    geo: str = "BE"
    breakdown: str = ""
    unit: str = "count"
    measure: str = "level"


CHARTS = [ChartSpec("arr_ai_beneficiaries_over_time", "arr_ai_beneficiaries")]


def fmt(value: float, lang: str, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def chart_texts(points: pd.DataFrame, indicator: dict, unit_label: dict, documents: pd.DataFrame,
                lang: str) -> dict:
    """Title (the message), subtitle (measure, geography, period), source line and alt text."""
    w = WORDS[lang]
    label = indicator[f"label_{lang}"]
    first, last = points.iloc[0], points.iloc[-1]
    change = (last["value"] - first["value"]) / first["value"] * 100 if first["value"] else 0.0
    trend = w["up"] if change > 0.05 else w["down"] if change < -0.05 else w["flat"]
    title = w["message"].format(label=label, trend=trend, pct=fmt(abs(change), lang, 1),
                                start=first["period"], end=last["period"])
    geo = GEO_NAMES.get(points["geo"].iloc[0], {}).get(lang, points["geo"].iloc[0])
    subtitle = f"{unit_label[lang].capitalize()}, {geo}, {first['period']}–{last['period']}"
    sources = []
    for doc_id, rows in points.groupby("document_id", sort=False):
        doc = documents.set_index("document_id").loc[doc_id]
        nums = sorted(set(int(n) for n in rows["line"]))
        word = w["line"] if len(nums) == 1 else w["lines"]
        sources.append(f"{doc['title']} ({doc['publisher']}), {word} "
                       + ", ".join(str(n) for n in nums))
    source = f"{w['source']} : " if lang == "fr" else f"{w['source']}: "
    source += " ; ".join(sources)
    pts = ", ".join(w["point"].format(value=fmt(v, lang), period=p)
                    for p, v in zip(points["period"], points["value"]))
    alt = w["alt"].format(label=label, geo=geo, start=first["period"], end=last["period"],
                          points=pts) + " " + title + "."
    return {"title": title, "subtitle": subtitle, "source": source, "alt": alt}


def draw(points: pd.DataFrame, texts: dict, lang: str, decimals: int = 0):
    """The figure in house style: message title, subtitle, direct labels, source line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "sesam",
                         "axes.spines.top": False, "axes.spines.right": False})
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = list(range(len(points)))
    ax.plot(x, points["value"], color=PALETTE[0], linewidth=2.5, marker="o", markersize=7)
    for xi, v in zip(x, points["value"]):
        ax.annotate(fmt(v, lang, decimals), (xi, v), textcoords="offset points", xytext=(0, 10),
                    ha="center", color=INK, fontsize=11, fontweight="bold")
    ax.set_xticks(x, points["period"])
    ax.set_xlim(-0.5, len(points) - 0.5)
    low, high = points["value"].min(), points["value"].max()
    pad = (high - low) * 0.25 or abs(high) * 0.05 or 1
    ax.set_ylim(low - pad, high + pad)
    ax.yaxis.set_major_formatter(lambda v, _: fmt(v, lang))
    ax.tick_params(colors=MUTED)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    height = fig.get_figheight()
    title_lines = textwrap.wrap(texts["title"], 64)
    y = 1 - 0.18 / height
    fig.text(0.02, y, "\n".join(title_lines), ha="left", va="top", fontsize=14,
             fontweight="bold", color=INK, linespacing=1.25)
    y -= (0.3 * len(title_lines) + 0.06) / height
    fig.text(0.02, y, texts["subtitle"], ha="left", va="top", fontsize=10.5, color=MUTED)
    fig.text(0.02, 0.1 / height, "\n".join(textwrap.wrap(texts["source"], 120)), ha="left",
             va="bottom", fontsize=8, color=MUTED)
    fig.subplots_adjust(left=0.11, right=0.97, top=y - 0.5 / height, bottom=0.75 / height)
    return fig


def render_chart(spec: ChartSpec, series: pd.DataFrame, indicators: pd.DataFrame,
                 documents: pd.DataFrame, out_dir: Path, unit_labels: dict) -> dict | None:
    """Write one chart in both languages; None when its series has fewer than two points."""
    points = series[(series["indicator"] == spec.indicator) & (series["geo"] == spec.geo)
                    & (series["breakdown"] == spec.breakdown) & (series["unit"] == spec.unit)
                    & (series["measure"] == spec.measure)
                    & (series["kind"] != "derived")].sort_values("period")
    if len(points) < 2:
        return None
    import matplotlib.pyplot as plt

    indicator = indicators.set_index("indicator").loc[spec.indicator]
    decimals = int(indicator["decimals"]) if pd.notna(indicator["decimals"]) else 0
    out_dir.mkdir(parents=True, exist_ok=True)
    made = {"chart_id": spec.chart_id}
    data = points[["indicator", "geo", "breakdown", "period", "value", "unit", "kind",
                   "document_id", "line", "quote"]]
    with atomic_path(out_dir / f"{spec.chart_id}.csv") as tmp:
        data.to_csv(tmp, index=False)
    for lang in LOCALES:
        texts = chart_texts(points, indicator, unit_labels[spec.unit], documents, lang)
        fig = draw(points, texts, lang, decimals)
        for ext, options in (("png", {"dpi": 300}), ("svg", {"metadata": {"Date": None}})):
            with atomic_path(out_dir / f"{spec.chart_id}_{lang}.{ext}") as tmp:
                fig.savefig(tmp, format=ext, **options)
        if lang == "fr":
            made["thumbnail"] = thumbnail_markdown(fig, spec.chart_id)
        plt.close(fig)
        write_text(texts["alt"] + "\n", out_dir / f"{spec.chart_id}_{lang}.txt")
        made[lang] = texts
    return made


def render_all(series: pd.DataFrame, indicators: pd.DataFrame, documents: pd.DataFrame,
               out_dir: Path, units: dict) -> list[dict]:
    """Every chart of CHARTS whose series has data; `units` gives the unit labels."""
    made = [render_chart(spec, series, indicators, documents, out_dir, units) for spec in CHARTS]
    return [m for m in made if m]


def thumbnail_markdown(fig, name: str, dpi: int = 40) -> str:
    """A small inline PNG of `fig`, as Markdown the Dagster UI renders in metadata."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return f"![{name}](data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()})"
