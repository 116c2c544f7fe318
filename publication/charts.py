"""Charts for communication staff, ready for the annual report as delivered.

Each chart is declared in `publication/charts.yaml`: what it selects from `series`, its form, and
its title (the message) and subtitle written per language, with placeholders filled from the data
(`{value:2024}`, `{change}`, `{share:BE2}`, `{ref}` ...). Every filled number is recorded as a
claim with the rows it comes from, so a test can recompute it. Forms:
- `line`: a time series of three points or more (months as a line, yearly averages as segments);
- `columns`: a few periods (or categories) as vertical bars, grouped when points have a group;
- `bars`: categories as horizontal bars, sorted by value or in their own (ordinal) order;
- `stacked`: the parts of a whole as one bar per period.
Estimates, provisional and derived points are drawn hollow, bounds are labelled "> 4 %", both are
explained in a footnote; thresholds and targets are labelled reference lines. Text is in Source
Sans Pro (PyPI font-source-sans-pro), live in the SVG; PNGs at print size for one and two columns.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from io import BytesIO
from pathlib import Path

import pandas as pd

from publication import formats
from sources.numbers import written_decimals
from publication.files import atomic_path, write_text
from sources.register import read_plain_yaml

SPECS = Path(__file__).resolve().parent / "charts.yaml"
LANGS = ("fr", "nl")
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
INK, MUTED, GRID, REF = "#1a1a1a", "#595959", "#e3e3e3", "#6b6b6b"
CM = 1 / 2.54
SIZES = {"wide": 17 * CM, "narrow": 8.5 * CM}  # two columns / one column of an A4 report
FONT = "Source Sans Pro"
PRINT_DPI = 300
ESTIMATED = {"e", "p", "f"}
WORDS = {
    "fr": {"source": "Source : ", "sources": "Sources : ", "sep": " ; ",
           "status": {"e": "estimation", "p": "chiffre provisoire", "f": "prévision",
                      "d": "définition différente", "u": "fiabilité faible",
                      "b": "rupture de série", "derived": "calculé à partir d’une évolution publiée"},
           "hollow": {"line": "Point évidé : {what}.", "bars": "Teinte claire : {what}."},
           "lower_bound": "> : le texte dit « plus de ».",
           "upper_bound": "< : le texte dit « moins de ».", "approx": "± : valeur approximative.",
           "in": "en", "forms": {"line": "Graphique linéaire", "columns": "Graphique en colonnes",
                                 "bars": "Graphique en barres", "stacked": "Barre empilée",
                                 "map": "Carte"},
           "reference": "Ligne de référence", "from": "de", "to": "à", "line": "ligne", "page": "p.",
           "document": "document", "average": "moyenne"},
    "nl": {"source": "Bron: ", "sources": "Bronnen: ", "sep": "; ",
           "status": {"e": "schatting", "p": "voorlopig cijfer", "f": "prognose",
                      "d": "afwijkende definitie", "u": "lage betrouwbaarheid",
                      "b": "breuk in de reeks", "derived": "berekend uit een gepubliceerde evolutie"},
           "hollow": {"line": "Open punt: {what}.", "bars": "Lichte kleur: {what}."},
           "lower_bound": "> : de tekst zegt ‘meer dan’.",
           "upper_bound": "< : de tekst zegt ‘minder dan’.", "approx": "± : benaderende waarde.",
           "in": "in", "forms": {"line": "Lijngrafiek", "columns": "Kolomgrafiek",
                                 "bars": "Staafdiagram", "stacked": "Gestapelde staaf",
                                 "map": "Kaart"},
           "reference": "Referentielijn", "from": "van", "to": "tot", "line": "regel", "page": "p.",
           "document": "document", "average": "gemiddelde"},
}
REQUIRED = {"chart_id", "family", "form", "indicator", "title", "subtitle"}


class ChartSpecError(ValueError):
    """A chart declaration that cannot be drawn; the message names the chart."""


def load_specs(path: Path = SPECS) -> list[dict]:
    """The chart declarations, checked: unique ids, a known form, a title and a subtitle in
    French and Dutch."""
    specs = read_plain_yaml(path)["charts"]
    seen = set()
    for spec in specs:
        name = spec.get("chart_id", "?")
        missing = REQUIRED - set(spec)
        if missing:
            raise ChartSpecError(f"{path}: chart {name}: missing {sorted(missing)}")
        if name in seen:
            raise ChartSpecError(f"{path}: chart id {name} is used twice")
        seen.add(name)
        if spec["form"] not in ("line", "columns", "bars", "stacked", "map"):
            raise ChartSpecError(f"{path}: chart {name}: unknown form {spec['form']!r}")
        for key in ("title", "subtitle"):
            if set(spec[key]) != set(LANGS):
                raise ChartSpecError(f"{path}: chart {name}: {key} needs fr and nl")
    return specs


# ---------------------------------------------------------------- data
def select_points(spec: dict, series: pd.DataFrame) -> pd.DataFrame:
    """The points a chart draws, each with a `category` (what the axis shows) and a `group`."""
    rows = series[(series["measure"] == spec.get("measure", "level"))
                  & (series["entity"] == spec.get("entity", ""))]
    if not spec.get("include_derived"):
        rows = rows[rows["kind"] != "derived"]
    if "points" in spec:
        picked = []
        for item in spec["points"]:
            match = rows[(rows["indicator"] == item.get("indicator", spec["indicator"]))
                         & (rows["period"] == str(item["period"]))
                         & (rows["geo"] == item.get("geo", "BE"))
                         & (rows["breakdown"] == item.get("breakdown", ""))]
            if len(match) != 1:
                raise ChartSpecError(f"chart {spec['chart_id']}: point {item} matches "
                                     f"{len(match)} series rows, not one")
            picked.append(match.assign(category=str(item["category"]),
                                       group=str(item.get("group", ""))))
        return pd.concat(picked, ignore_index=True)
    rows = rows[rows["indicator"] == spec["indicator"]]
    by = spec.get("by")
    if by is None:
        rows = rows[(rows["geo"] == spec.get("geo", "BE"))
                    & (rows["breakdown"] == spec.get("breakdown", ""))]
        kinds = {"years": r"\d{4}", "months": r"\d{4}-\d{2}",
                 "months_and_years": r"\d{4}(-\d{2})?"}
        if spec.get("periods") in kinds:
            rows = rows[rows["period"].str.fullmatch(kinds[spec["periods"]])]
        return rows.sort_values("period").assign(category=lambda f: f["period"], group="")
    if by == "geo":
        rows = rows[(rows["geo"] != "BE") & (rows["breakdown"] == spec.get("breakdown", ""))]
        rows = rows.assign(category=rows["geo"])
    else:
        rows = rows[rows["geo"] == spec.get("geo", "BE")]
        fixed = {f"{k}={v}" for k, v in (spec.get("fixed") or {}).items()}
        pairs = rows["breakdown"].str.split(";")
        keep = pairs.map(lambda ps: any(p.startswith(f"{by}=") for p in ps)
                         and set(ps) - {p for p in ps if p.startswith(f"{by}=")} == fixed)
        rows = rows[keep]
        rows = rows.assign(category=rows["breakdown"].str.extract(rf"(?:^|;){by}=([^;]+)")[0])
    if rows.empty:
        return rows.assign(group="")
    periods = spec.get("periods_shown") or [str(spec.get("period") or
                                                 sorted(rows["period"])[-1])]
    rows = rows[rows["period"].isin([str(p) for p in periods])]
    rows = rows.assign(group=rows["period"] if len(periods) > 1 else "")
    order = spec.get("order")
    if isinstance(order, list):
        rank = {str(c): i for i, c in enumerate(order)}
        rows = rows[rows["category"].isin(rank)].assign(_r=lambda f: f["category"].map(rank))
        return rows.sort_values(["_r", "period"]).drop(columns="_r")
    return rows.sort_values(["value"], ascending=False)


def select_references(spec: dict, series: pd.DataFrame) -> list[dict]:
    """Thresholds and targets drawn as labelled reference lines."""
    found = []
    for ref in spec.get("references") or []:
        rows = series[(series["indicator"] == ref.get("indicator", spec["indicator"]))
                      & (series["measure"] == ref["measure"])
                      & (series["entity"] == ref.get("entity", spec.get("entity", "")))
                      & (series["geo"] == ref.get("geo", "BE"))
                      & (series["breakdown"] == ref.get("breakdown", ""))]
        if "period" in ref:
            rows = rows[rows["period"] == str(ref["period"])]
        if rows.empty:
            raise ChartSpecError(f"chart {spec['chart_id']}: no series row for reference {ref}")
        row = rows.sort_values("period").iloc[-1].to_dict()
        found.append({**row, "label": ref["label"]})
    return found


def select_extra(spec: dict, series: pd.DataFrame, key: str) -> dict | None:
    """A row named by the spec (the base of shares, a total), for titles and the CSV."""
    item = spec.get(key)
    if not item:
        return None
    rows = series[(series["indicator"] == item["indicator"])
                  & (series["period"] == str(item["period"]))
                  & (series["geo"] == item.get("geo", "BE"))
                  & (series["entity"] == item.get("entity", spec.get("entity", "")))
                  & (series["breakdown"] == item.get("breakdown", ""))
                  & (series["measure"] == "level")]
    if len(rows) != 1:
        raise ChartSpecError(f"chart {spec['chart_id']}: {key} {item} matches {len(rows)} rows")
    return {**rows.iloc[0].to_dict(), "label": item.get("label")}


# ---------------------------------------------------------------- texts
class Texts:
    """Fills a title or subtitle template for one language, recording each number it writes."""

    def __init__(self, spec, points, refs, extras, labels, lang):
        self.spec, self.points, self.refs, self.extras = spec, points, refs, extras
        self.labels, self.lang = labels, lang
        self.claims: list[dict] = []

    def point(self, key: str) -> dict:
        """The one point named `category`, `period` or `category@group`."""
        pts = self.points
        if "@" in key:
            category, group = key.split("@", 1)
            hit = pts[(pts["category"] == category) & (pts["group"] == group)]
        else:
            hit = pts[(pts["category"] == key) | (pts["period"] == key)]
        if len(hit) != 1:
            raise ChartSpecError(f"chart {self.spec['chart_id']}: {len(hit)} points are "
                                 f"{key!r}, not one (name it as category@group)")
        return hit.iloc[0].to_dict()

    def show(self, row: dict, style="words") -> str:
        text = formats.value(row["value"], row["unit"], self.lang, row["decimals"], words=True)
        return formats.qualified(text, row["qualifier"], self.lang, style)

    def claim(self, kind: str, value: float, text: str, rows: list[dict]) -> str:
        self.claims.append({"kind": kind, "value": float(value), "text": text,
                            "rows": [[r["observation_id"], r["period"]] for r in rows]})
        return text

    def fill(self, template: str) -> str:
        return re.sub(r"\{(\w+)(?::([^}]+))?\}", lambda m: self._field(m.group(1), m.group(2)),
                      template)

    def _field(self, name: str, arg: str | None) -> str:
        pts = self.points
        if name == "value":
            row = self.point(arg)
            return self.claim("value", row["value"], self.show(row), [row])
        if name in ("first", "last", "peak"):
            row = (pts.iloc[0] if name == "first" else pts.iloc[-1] if name == "last"
                   else pts.loc[pts["value"].idxmax()]).to_dict()
            return self.claim("value", row["value"], self.show(row), [row])
        if name in ("first_period", "last_period", "peak_period"):
            row = (pts.iloc[0] if name == "first_period" else pts.iloc[-1]
                   if name == "last_period" else pts.loc[pts["value"].idxmax()])
            return period_label(row["period"], self.lang)
        if name == "span":
            return span_label(list(pts["period"]), self.lang)
        if name == "change":
            a, b = (self.point(k) for k in arg.split("/")) if arg else (
                pts.iloc[0].to_dict(), pts.iloc[-1].to_dict())
            if a["unit"] == "percent":
                delta = b["value"] - a["value"]
                decimals = max(a["decimals"], b["decimals"], 1 if delta % 1 else 0)
                return self.claim("points", delta, formats.points(delta, self.lang, decimals),
                                  [a, b])
            delta = (b["value"] / a["value"] - 1) * 100
            text = formats.value(delta, "percent_change", self.lang, 0)
            return self.claim("percent_change", delta, text, [a, b])
        if name == "share":
            row = self.point(arg)
            whole = self.extras.get("total") or {"value": pts["value"].sum()}
            share = row["value"] / whole["value"] * 100
            rows = [row] + ([whole] if "observation_id" in whole else
                            [r for _, r in pts.iterrows()])
            return self.claim("share", share, formats.percent(share, self.lang, 0), rows)
        if name in ("total", "base"):
            row = self.extras.get(name) or {"value": pts["value"].sum(), "unit": pts["unit"].iloc[0],
                                            "decimals": 0, "qualifier": "exact",
                                            "observation_id": None}
            rows = [row] if row.get("observation_id") else [r for _, r in pts.iterrows()]
            return self.claim("total" if not row.get("observation_id") else "value",
                              row["value"], self.show(row), rows)
        if name == "ref":
            ref = self.refs[int(arg or 0)]
            return self.claim("value", ref["value"], self.show(ref), [ref])
        if name == "entity":
            return self.labels["entities"][self.spec["entity"]][self.lang]
        raise ChartSpecError(f"chart {self.spec['chart_id']}: unknown placeholder {name!r}")


def period_label(period: str, lang: str) -> str:
    """"2024", "décembre 2024" / "december 2024", "1er octobre 2020" / "1 oktober 2020"."""
    from babel.dates import format_date
    from datetime import date

    parts = [int(p) for p in period.split("/")[0].split("-")]
    if len(parts) == 1:
        return period.replace("/", "–")
    if len(parts) == 2:
        return format_date(date(parts[0], parts[1], 1), "MMMM y", locale=formats.LOCALES[lang])
    day = format_date(date(*parts), "d MMMM y", locale=formats.LOCALES[lang])
    return re.sub(r"^1 ", "1er ", day) if lang == "fr" else day


def span_label(periods: list[str], lang: str) -> str:
    years = sorted({p[:4] for p in periods})
    return years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"


def source_line(points: pd.DataFrame, extra_rows: list[dict], documents: pd.DataFrame,
                lang: str) -> str:
    """Publisher, publication and year, in the chart's language, and the pages of a document
    received as PDF; no line numbers."""
    docs = documents.set_index("document_id")
    rows = [*points.to_dict("records"), *extra_rows]
    ids = list(dict.fromkeys(r["document_id"] for r in rows))
    w = WORDS[lang]

    def pages(d):
        found = sorted({int(r["page"]) for r in rows if r["document_id"] == d
                        and pd.notna(r.get("page"))})
        return f", {w['page']} {', '.join(map(str, found))}" if found else ""

    cites = [f"{docs.loc[d, f'citation_{lang}']} ({docs.loc[d, 'published']}){pages(d)}"
             for d in ids]
    return (w["source"] if len(cites) == 1 else w["sources"]) + w["sep"].join(cites), \
        w["sep"].join(cites)


def footnotes(points: pd.DataFrame, refs: list[dict], spec: dict, lang: str) -> list[str]:
    """What the marks mean, for the marks this chart uses, and the chart's own notes."""
    w = WORDS[lang]
    notes = []
    shown = [*points.to_dict("records"), *refs]
    statuses = sorted({r["obs_status"] for r in shown if r["obs_status"] in w["status"]}
                      | ({"derived"} if any(r["kind"] == "derived" for r in shown) else set()))
    hollow = [s for s in statuses if s in ESTIMATED or s == "derived"]
    if hollow:
        what = ", ".join(f"{w['status'][s]} ({s})" if s != "derived" else w["status"][s]
                         for s in hollow)
        periods = sorted({period_label(r["period"], lang) for r in shown
                          if r["obs_status"] in ESTIMATED or r["kind"] == "derived"})
        mark = w["hollow"]["line" if spec["form"] == "line" else "bars"]
        notes.append(mark.format(what=f"{what}, {', '.join(periods)}"))
    for status in (s for s in statuses if s not in hollow):
        named = sorted({category_label(r, spec, {}, lang) if "category" in r else r["period"]
                        for r in shown if r["obs_status"] == status}) if spec.get("labels") \
            else sorted({period_label(r["period"], lang) for r in shown
                         if r["obs_status"] == status})
        notes.append(colon(f"{w['status'][status].capitalize()} ({status}) : "
                           f"{', '.join(named)}.", lang))
    for qualifier in ("lower_bound", "upper_bound", "approx"):
        if any(r["qualifier"] == qualifier for r in shown):
            notes.append(w[qualifier])
    notes += [n[lang] for n in spec.get("notes") or []]
    return notes


def chart_texts(spec, points, refs, extras, labels, documents, lang) -> dict:
    filler = Texts(spec, points, refs, extras, labels, lang)
    title = filler.fill(spec["title"][lang])
    subtitle = filler.fill(spec["subtitle"][lang])
    extra_rows = refs + [e for e in extras.values() if e]
    source, citations = source_line(points, extra_rows, documents, lang)
    return {"title": title, "subtitle": subtitle, "notes": footnotes(points, refs, spec, lang),
            "source": source, "citations": citations,
            "claims": filler.claims,
            "alt": alt_text(spec, points, refs, labels, subtitle, lang),
            "long": long_description(spec, points, refs, extras, labels, documents, title,
                                     subtitle, lang)}


def category_label(row: dict, spec: dict, labels: dict, lang: str) -> str:
    if isinstance(row.get("label"), dict):
        return row["label"][lang]
    if "category" not in row:  # a base or total row: named after its series
        return labels.get("indicators", {}).get(row["indicator"], {}).get(lang, row["indicator"])
    code = str(row["category"])
    named = (spec.get("labels") or {}).get(code)
    if named:
        return named[lang]
    if spec.get("by") == "geo":
        return labels["geos"].get(code, {}).get(lang, code)
    if spec.get("by") is None and "points" not in spec:
        return period_label(row["period"], lang)
    label = labels["breakdowns"].get(spec.get("by"), {}).get(code)
    return label[lang] if label else code.replace("_", " ")


def status_words(row: dict, lang: str) -> str:
    w = WORDS[lang]["status"]
    key = "derived" if row["kind"] == "derived" else row["obs_status"]
    return f" ({w[key]})" if key in w else ""


def alt_text(spec, points, refs, labels, subtitle, lang) -> str:
    w = WORDS[lang]
    values = ", ".join(
        f"{category_label(r, spec, labels, lang)}"
        + (f" {period_label(r['period'], lang)}" if r["group"] else "")
        + f" : {_label(r, lang, 'words')}{status_words(r, lang)}"
        for r in points.to_dict("records")).replace(" : ", ": " if lang == "nl" else " : ")
    text = f"{w['forms'][spec['form']]}. {subtitle}. {values}."
    for ref in refs:
        text += f" {w['reference']} : {ref['label'][lang]}, {_label(ref, lang, 'words')}."
    return text.replace(" : ", ": ") if lang == "nl" else text


def long_description(spec, points, refs, extras, labels, documents, title, subtitle, lang) -> str:
    """Title, what is drawn, each value with its status, and where each comes from (document and
    line): for screen readers and for a reader who wants to check."""
    w = WORDS[lang]
    docs = documents.set_index("document_id")
    lines = [title, "", f"{w['forms'][spec['form']]} — {subtitle}.", ""]
    for r in [*points.to_dict("records"), *refs, *[e for e in extras.values() if e]]:
        name = r["label"][lang] if isinstance(r.get("label"), dict) else category_label(
            r, spec, labels, lang)
        lines.append(f"- {name}, {period_label(r['period'], lang)} : {_label(r, lang, 'words')}"
                     f"{status_words(r, lang)} — {docs.loc[r['document_id'], f'citation_{lang}']}, "
                     f"{w['line']} {r['line']}"
                     + (f", {w['page']} {int(r['page'])}" if pd.notna(r.get("page")) else "")
                     + f" : « {r['quote']} »")
    notes = footnotes(points, refs, spec, lang)
    if notes:
        lines += [""] + notes
    text = "\n".join(lines) + "\n"
    return text.replace(" : ", ": ").replace("« ", "‘").replace(" »", "’") if lang == "nl" else text


def _label(row: dict, lang: str, style: str = "sign") -> str:
    text = formats.value(row["value"], row["unit"], lang, int(row.get("decimals") or 0))
    return formats.qualified(text, row["qualifier"], lang, style)


# ---------------------------------------------------------------- drawing
def _setup():
    import matplotlib

    matplotlib.use("Agg")
    import font_source_sans_pro
    from matplotlib import font_manager
    import matplotlib.pyplot as plt

    folder = Path(font_source_sans_pro.font_directory)
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for face in ("Regular", "Semibold", "Bold", "It"):  # once: each addfont empties the font cache
        if str(folder / f"SourceSansPro-{face}.ttf") not in known:
            font_manager.fontManager.addfont(str(folder / f"SourceSansPro-{face}.ttf"))
    plt.rcParams.update({"font.family": FONT, "svg.fonttype": "none", "svg.hashsalt": "sesam",
                         "axes.spines.top": False, "axes.spines.right": False,
                         "axes.edgecolor": "#8c8c8c", "xtick.color": MUTED,
                         "ytick.color": MUTED, "axes.unicode_minus": True})
    return plt


def font_sizes(size: str) -> dict:
    return ({"title": 13, "subtitle": 10, "label": 9, "tick": 8.5, "note": 7.5} if size == "wide"
            else {"title": 10, "subtitle": 8, "label": 7.5, "tick": 7, "note": 6.5})


def wrap(fig, text: str, width_px: float, size: float, weight: str = "normal") -> str:
    """`text` broken into lines no wider than `width_px` at font `size` (measured, not guessed);
    no-break spaces keep "52,2 %" on one line."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    prop = FontProperties(family=FONT, size=size, weight=weight)
    lines, current = [], ""
    for word in text.split(" "):
        trial = f"{current} {word}".strip()
        width = renderer.get_text_width_height_descent(trial, prop, ismath=False)[0]
        if current and width > width_px:
            lines.append(current)
            current = word
        else:
            current = trial
    return "\n".join(lines + [current])


def draw(spec, points, refs, texts, labels, lang, size):
    """The figure of one chart in one language and size: header, plot, footnotes, source."""
    plt = _setup()
    fs = font_sizes(size)
    width = SIZES[size]
    plot_height = plot_inches(spec, points, size)
    fig = plt.figure(figsize=(width, 4), dpi=PRINT_DPI)  # measured as it is printed
    margin = 0.12 * (1 if size == "wide" else 0.7)
    usable = (width - 2 * margin) * fig.dpi * 0.97
    header = [(wrap(fig, texts["title"], usable, fs["title"], "bold"), fs["title"], "bold", INK),
              (wrap(fig, texts["subtitle"], usable, fs["subtitle"]), fs["subtitle"], "normal",
               MUTED)]
    footer = [(wrap(fig, n, usable, fs["note"]), fs["note"], "normal", MUTED)
              for n in texts["notes"]]
    footer.append((wrap(fig, texts["source"], usable, fs["note"]), fs["note"], "normal", MUTED))
    line_in = lambda s: s * 1.32 / 72  # noqa: E731 - height of a text line, inches
    head_h = sum(line_in(s) * (t.count("\n") + 1) + 0.06 for t, s, _, _ in header) + 0.22
    foot_h = sum(line_in(s) * (t.count("\n") + 1) + 0.03 for t, s, _, _ in footer) + 0.1
    axis_h = 0.32 if spec["form"] in ("line", "columns") else 0.08
    rows = legend_rows(spec, points, size) if spec["form"] == "stacked" else (
        1 if points["group"].nunique() > 1 else 0)
    key_h = rows * line_in(fs["tick"]) * 1.25 + 0.08 if rows else 0
    height = margin + head_h + key_h + plot_height + axis_h + foot_h + margin
    fig.set_size_inches(width, height)
    y = height - margin
    for text, size_pt, weight, colour in header:
        fig.text(margin / width, y / height, text, ha="left", va="top", fontsize=size_pt,
                 fontweight=weight, color=colour, linespacing=1.15)
        y -= line_in(size_pt) * (text.count("\n") + 1) + 0.06
    y_foot = margin
    for text, size_pt, weight, colour in reversed(footer):
        fig.text(margin / width, y_foot / height, text, ha="left", va="bottom",
                 fontsize=size_pt, color=colour, linespacing=1.15)
        y_foot += line_in(size_pt) * (text.count("\n") + 1) + 0.03
    left = margin + (0.45 if spec["form"] == "line" else 0.02)
    ax = fig.add_axes([left / width, (y_foot + 0.1 + axis_h) / height,
                       (width - left - margin - 0.05) / width, plot_height / height])
    {"line": draw_line, "columns": draw_columns, "bars": draw_bars,
     "stacked": draw_stacked, "map": draw_map}[spec["form"]](ax, spec, points, refs, labels,
                                                               lang, fs)
    return fig


def draw_map(ax, spec, points, refs, labels, lang, fs):
    from publication.maps import draw_map as draw

    draw(ax, spec, points, refs, labels, lang, fs,
         label_of=lambda row: category_label(row, spec, labels, lang),
         value_text=lambda row: _label(row, lang))


def plot_inches(spec, points, size) -> float:
    scale = 1 if size == "wide" else 0.85
    if spec["form"] == "bars":
        return scale * (0.42 * len(points) + 0.1 + (0.22 if spec.get("references") else 0))
    if spec["form"] == "stacked":
        return scale * (0.62 * points["group"].nunique() + 0.15)
    if spec["form"] == "map":
        return scale * 3.6
    return scale * (2.6 if size == "wide" else 2.2)


def _hollow(row) -> bool:
    return row["obs_status"] in ESTIMATED or row["kind"] == "derived"


def _time(period: str) -> float:
    parts = [int(p) for p in period.split("/")[0].split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    return parts[0] + (parts[1] - 0.5) / 12


def draw_line(ax, spec, points, refs, labels, lang, fs):
    """Months or years on a time axis; yearly averages among months drawn as segments."""
    colour = PALETTE[0]
    yearly = points["period"].str.fullmatch(r"\d{4}")
    mixed = spec.get("periods") == "months_and_years"
    line_pts = points[~yearly] if mixed else points
    xs = [_time(p) for p in line_pts["period"]]
    ax.plot(xs, line_pts["value"], color=colour, linewidth=2, zorder=2, gid="data")
    labels_to_place = []
    values = list(line_pts["value"])
    # a long series: label its first, last, lowest and highest points (all are in the CSV)
    keep = set(range(len(values))) if len(values) <= 6 else {
        0, len(values) - 1, values.index(min(values)), values.index(max(values))}
    for i, (x, row) in enumerate(zip(xs, line_pts.to_dict("records"))):
        ax.plot([x], [row["value"]], marker="o", markersize=6.5, zorder=3,
                markerfacecolor="white" if _hollow(row) else colour, markeredgecolor=colour,
                markeredgewidth=1.6)
        if i in keep or _hollow(row):
            labels_to_place.append((x, row["value"], _label(row, lang), INK))
    if mixed:
        for row in points[yearly].to_dict("records"):
            year = int(row["period"])
            ax.plot([year + 0.02, year + 0.98], [row["value"]] * 2, color=PALETTE[1],
                    linewidth=2.5, zorder=2, gid="data", solid_capstyle="butt")
            joint = "\n" if ax.figure.get_figwidth() < 5 else " : "
            labels_to_place.append((year + 0.5, row["value"], colon(
                f"{WORDS[lang]['average']} {year}{joint}{_label(row, lang)}", lang), "#8a5a00"))
    values = list(points["value"]) + [r["value"] for r in refs]
    low, high = min(values), max(values)
    truncated = spec.get("truncate", False)
    bottom = (low - (high - low) * 0.6) if truncated else 0
    ax.set_ylim(bottom, high + (high - bottom) * 0.18)
    first, last = int(min(xs)), int(max(xs))
    years = list(range(first, last + 1))
    step = max(1, -(-len(years) // 8))
    ax.set_xticks([y + 0.5 for y in years[::step]], [str(y) for y in years[::step]])
    ax.set_xlim(first + (0 if mixed else 0.1), last + (1 if mixed else 0.9))
    _value_axis(ax, points["unit"].iloc[0], lang, fs)
    if truncated:
        _break_mark(ax)
    _reference_lines(ax, refs, lang, fs, horizontal=True)
    for x, y, text, colour in labels_to_place:
        place_label(ax, x, y, text, fontsize=fs["label"],
                    fontweight="semibold" if colour == INK else "normal", color=colour)


# Where a point's label may go, in order of preference: (dx, dy) in points, alignment.
LABEL_SPOTS = [((0, 8), "center", "bottom"), ((0, -9), "center", "top"),
               ((-7, 6), "right", "bottom"), ((7, -6), "left", "top"),
               ((7, 6), "left", "bottom"), ((-7, -6), "right", "top"),
               ((10, 0), "left", "center"), ((-10, 0), "right", "center")]


def place_label(ax, x, y, text, **style):
    """Put a point's label at the first spot where it stays inside the plot, crosses no line
    and covers no other text; the layout check reports any label left without such a spot."""
    from matplotlib.lines import Line2D

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    lines = [ln.get_transform().transform(ln.get_xydata()) for ln in ax.get_lines()
             if len(ln.get_xydata()) > 1 and ln.get_gid() in ("data", "reference")
             and isinstance(ln, Line2D)]
    others = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().strip()]
    for i, (offset, ha, va) in enumerate(LABEL_SPOTS):
        label = ax.annotate(text, (x, y), textcoords="offset points", xytext=offset, ha=ha,
                            va=va, **style)
        box = label.get_window_extent(renderer)
        inside = (box.x0 >= axes_box.x0 - 2 and box.x1 <= axes_box.x1 + 2
                  and box.y0 >= axes_box.y0 and box.y1 <= axes_box.y1)
        free = not any(_crosses(p, box.shrunk(0.9, 0.6)) for p in lines) and not any(
            box.overlaps(o) for o in others)
        if inside and free or i == len(LABEL_SPOTS) - 1:
            return label
        label.remove()


def _value_axis(ax, unit, lang, fs):
    low, high = ax.get_ylim()
    ax.set_yticks([t for t in ax.get_yticks() if low <= t <= high])
    ax.yaxis.set_major_formatter(lambda v, _: formats.number(v, lang, 0))
    ax.tick_params(labelsize=fs["tick"], length=0)
    ax.grid(axis="y", color=GRID, linewidth=0.7)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)


def _break_mark(ax):
    """Two short slanted strokes on the value axis: it does not start at zero."""
    kw = {"transform": ax.transAxes, "color": "#8c8c8c", "clip_on": False, "linewidth": 1}
    for dy in (0.0, 0.025):
        ax.plot([-0.012, 0.012], [0.01 + dy, 0.04 + dy], **kw)


def colon(text: str, lang: str) -> str:
    """French puts a no-break space before a colon, Dutch none."""
    return text.replace(" : ", ": ") if lang == "nl" else text.replace(" : ", "\u00a0: ")


def _reference_lines(ax, refs, lang, fs, horizontal: bool, rows: list[float] | None = None):
    """Dashed reference lines with their label; across horizontal bars, one short mark per bar
    (`rows`), so the line never runs through the bars' names."""
    for ref in refs:
        text = colon(f"{ref['label'][lang]} : {_label(ref, lang)}", lang)
        if horizontal:
            ax.axhline(ref["value"], color=REF, linewidth=1.1, linestyle=(0, (4, 3)), zorder=1,
                       gid="reference")
            ax.annotate(text, (0.0, ref["value"]), xycoords=("axes fraction", "data"),
                        textcoords="offset points", xytext=(2, 3), ha="left", va="bottom",
                        fontsize=fs["label"] - 0.5, color=REF)
        else:
            for y in rows:
                ax.plot([ref["value"]] * 2, [y - 0.3, y + 0.3], color=REF, linewidth=1.3,
                        linestyle=(0, (2, 1.5)), zorder=3, gid="reference")
            ax.annotate(text, (ref["value"], min(rows) - 0.3), textcoords="offset points",
                        xytext=(0, -2), ha="left", va="top", fontsize=fs["label"] - 0.5,
                        color=REF)


def tint(colour: str, amount: float = 0.72) -> str:
    """`colour` mixed with white: the light fill of an estimated or provisional bar."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def _bar_style(row, colour):
    if _hollow(row):
        return {"facecolor": tint(colour), "edgecolor": colour, "linewidth": 1.3}
    return {"facecolor": colour, "edgecolor": colour, "linewidth": 0}


def draw_columns(ax, spec, points, refs, labels, lang, fs):
    """Vertical bars from zero; grouped side by side when the points have groups (periods)."""
    import matplotlib as mpl

    mpl.rcParams["hatch.color"] = PALETTE[0]
    cats = list(dict.fromkeys(points["category"]))
    groups = list(dict.fromkeys(points["group"]))
    width = 0.7 / len(groups)
    high = max(list(points["value"]) + [r["value"] for r in refs])
    for gi, group in enumerate(groups):
        colour = PALETTE[gi % len(PALETTE)] if len(groups) > 1 else PALETTE[0]
        mpl.rcParams["hatch.color"] = colour
        for row in points[points["group"] == group].to_dict("records"):
            x = cats.index(row["category"]) + (gi - (len(groups) - 1) / 2) * width
            ax.bar(x, row["value"], width=width * 0.92, **_bar_style(row, colour), zorder=2)
            ax.annotate(_label(row, lang), (x, row["value"]), textcoords="offset points",
                        xytext=(0, 3), ha="center", va="bottom", fontsize=fs["label"],
                        fontweight="semibold", color=INK)
    names = [category_label(points[points["category"] == c].iloc[0].to_dict(), spec, labels,
                            lang) for c in cats]
    ax.set_xticks(range(len(cats)), names, fontsize=fs["tick"] + 0.5, color=INK)
    ax.set_ylim(0, high * 1.2)
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="x", length=0)
    ax.set_xlim(-0.6, len(cats) - 0.4)
    if len(groups) > 1:
        _legend(ax, [(PALETTE[i % len(PALETTE)], period_label(g, lang))
                     for i, g in enumerate(groups)], fs)
    _reference_lines(ax, refs, lang, fs, horizontal=True)


def _legend(ax, items, fs):
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=t) for c, t in items], loc="lower left",
              bbox_to_anchor=(0, 1.0), ncol=len(items), frameon=False, fontsize=fs["tick"],
              handlelength=1, columnspacing=1, borderaxespad=0.2)


def draw_bars(ax, spec, points, refs, labels, lang, fs):
    """Horizontal bars from zero, each category's name above its bar, the value at its end."""
    import matplotlib as mpl

    mpl.rcParams["hatch.color"] = PALETTE[0]
    rows = points.to_dict("records")
    high = max([r["value"] for r in rows] + [r["value"] for r in refs])
    for i, row in enumerate(rows):
        y = len(rows) - 1 - i
        ax.barh(y - 0.12, row["value"], height=0.5, **_bar_style(row, PALETTE[0]), zorder=2)
        ax.text(0, y + 0.2, category_label(row, spec, labels, lang), ha="left", va="bottom",
                fontsize=fs["label"], color=INK)
        ax.annotate(_label(row, lang), (row["value"], y - 0.12), textcoords="offset points",
                    xytext=(4, 0), ha="left", va="center", fontsize=fs["label"],
                    fontweight="semibold", color=INK)
    ax.set_xlim(0, high * 1.22)
    ax.set_ylim(-0.55 - (0.5 if refs else 0), len(rows) - 0.25)
    ax.axis("off")
    _reference_lines(ax, refs, lang, fs, horizontal=False,
                     rows=[y - 0.12 for y in range(len(rows))])


def draw_stacked(ax, spec, points, refs, labels, lang, fs):
    """One bar per group (or one bar), its parts side by side: a key above, each part's value in
    it where it fits, the whole at the end of each bar."""
    renderer = ax.figure.canvas.get_renderer()
    groups = list(dict.fromkeys(points["group"]))
    cats = list(dict.fromkeys(points["category"]))
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(cats)}
    total = max(points[points["group"] == g]["value"].sum() for g in groups)
    several = len(groups) > 1
    ax.set_xlim(0, total * (1.16 if several else 1.0))
    ax.set_ylim(-0.45, len(groups) - 0.5 + (0.35 if several else 0))
    ax.axis("off")
    for gi, group in enumerate(groups):
        y = len(groups) - 1 - gi
        left = 0.0
        for row in points[points["group"] == group].to_dict("records"):
            colour = colours[row["category"]]
            ax.barh(y, row["value"], left=left, height=0.5, **_bar_style(row, colour), zorder=2)
            dark = colour in ("#0072B2", "#009E73", "#D55E00", "#000000", "#CC79A7")
            label = ax.text(left + row["value"] / 2, y, _label(row, lang), ha="center",
                            va="center", fontsize=fs["label"], fontweight="semibold",
                            color="white" if dark and not _hollow(row) else INK, zorder=3)
            x0, x1 = (ax.transData.transform((v, y))[0] for v in (left, left + row["value"]))
            if label.get_window_extent(renderer).width > (x1 - x0) - 4:
                label.remove()  # too narrow a part: its value is in the key and the CSV
            left += row["value"]
        if several:
            ax.text(0, y + 0.3, period_label(group, lang), ha="left", va="bottom",
                    fontsize=fs["label"], color=INK)
            whole = points[points["group"] == group]
            ax.annotate(_label({**whole.iloc[0].to_dict(), "value": whole["value"].sum(),
                                "qualifier": "exact"}, lang), (left, y),
                        textcoords="offset points", xytext=(4, 0), ha="left", va="center",
                        fontsize=fs["label"], fontweight="semibold", color=INK)
    names = []
    for c in cats:
        first = points[points["category"] == c].iloc[-1].to_dict()
        name = category_label(first, spec, labels, lang)
        names.append(name if several else colon(f"{name} : {_label(first, lang)}", lang))
    from matplotlib.patches import Patch

    ncol = 2 if ax.figure.get_figwidth() < 5 or len(cats) > 3 else len(cats)
    ax.legend(handles=[Patch(color=colours[c], label=n) for c, n in zip(cats, names)],
              loc="lower left", bbox_to_anchor=(0, 1.0), ncol=ncol, frameon=False,
              fontsize=fs["tick"], handlelength=1, columnspacing=1.2, borderaxespad=0.2)


def legend_rows(spec, points, size) -> int:
    cats = points["category"].nunique()
    ncol = 2 if size == "narrow" or cats > 3 else cats
    return -(-cats // ncol)


# ---------------------------------------------------------------- layout checks
def layout_problems(fig) -> list[str]:
    """What a machine can see is wrong in a drawn chart: a text outside the canvas, two texts
    overlapping, a text crossed by a data or reference line. The figure is laid out as it is
    drawn, without painting a pixel (the files are drawn after)."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    from matplotlib.text import Text

    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes, seen = [], set()
    for t in texts:
        if id(t) in seen:
            continue
        seen.add(id(t))
        try:
            box = t.get_window_extent(renderer)
        except (RuntimeError, TypeError):
            continue
        if box.width <= 0:
            continue
        boxes.append((t.get_text().replace("\n", " "), box))
    problems = []
    for text, box in boxes:
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            problems.append(f"outside the canvas: {text!r}")
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            if box_a.shrunk(0.98, 0.9).overlaps(box_b.shrunk(0.98, 0.9)):
                problems.append(f"overlapping: {a!r} and {b!r}")
    from matplotlib.lines import Line2D

    for line in fig.findobj(Line2D):
        if not line.get_visible() or line.get_gid() not in ("data", "reference") \
                or len(line.get_xydata()) < 2:
            continue
        path = line.get_transform().transform(line.get_xydata())
        for text, box in boxes:
            if _crosses(path, box.shrunk(0.9, 0.6)):
                problems.append(f"crossed by a line: {text!r}")
    return sorted(set(problems))


def _crosses(path, box) -> bool:
    """Whether the polyline `path` (display coordinates) passes through `box`."""
    import numpy as np

    for (x0, y0), (x1, y1) in zip(path[:-1], path[1:]):
        for t in np.linspace(0, 1, 40):
            x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
            if box.x0 < x < box.x1 and box.y0 < y < box.y1:
                return True
    return False


# ---------------------------------------------------------------- files
PUBLIC_COLUMNS = ["chart", "role", "series_fr", "series_nl", "category_fr", "category_nl",
                  "period", "value", "unit", "qualifier", "status_fr", "status_nl", "source_fr",
                  "source_nl", "document", "line", "quote", "indicator", "geo", "entity",
                  "breakdown", "measure", "observation_id"]


def public_rows(spec, points, refs, extras, labels, indicators, documents) -> list[dict]:
    """The chart's data as a journalist reads it: labels in French and Dutch, unit, status and
    source, with the document line to check it."""
    ind = indicators.set_index("indicator")
    docs = documents.set_index("document_id")
    rows = []
    items = ([("point", r) for r in points.to_dict("records")] + [("reference", r) for r in refs]
             + [(k, r) for k, r in extras.items() if r])
    for role, r in items:
        label = r.get("label") if isinstance(r.get("label"), dict) else None
        rows.append({
            "chart": spec["chart_id"], "role": role,
            "series_fr": ind.loc[r["indicator"], "label_fr"],
            "series_nl": ind.loc[r["indicator"], "label_nl"],
            "category_fr": label["fr"] if label else category_label(r, spec, labels, "fr"),
            "category_nl": label["nl"] if label else category_label(r, spec, labels, "nl"),
            "period": r["period"], "value": r["value"], "unit": r["unit"],
            "qualifier": r["qualifier"],
            "status_fr": status_words(r, "fr").strip(" ()"),
            "status_nl": status_words(r, "nl").strip(" ()"),
            "source_fr": docs.loc[r["document_id"], "citation_fr"],
            "source_nl": docs.loc[r["document_id"], "citation_nl"],
            "document": r["document_id"], "line": int(r["line"]),
            "page": int(r["page"]) if pd.notna(r.get("page")) else None, "quote": r["quote"],
            "indicator": r["indicator"], "geo": r["geo"], "entity": r["entity"],
            "breakdown": r["breakdown"], "measure": r["measure"],
            "observation_id": r["observation_id"]})
    return rows


def fingerprint(spec: dict, rows: list[dict], labels: dict, documents: pd.DataFrame) -> str:
    """What a chart's files depend on: its data, declaration, labels, sources and this code."""
    digest = hashlib.sha256(json.dumps([spec, rows, labels, documents.to_dict("records")],
                                       sort_keys=True, default=str).encode())
    for module in ("charts.py", "formats.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()


def thumbnail_markdown(fig, name: str, dpi: int = 40) -> str:
    """A small inline PNG of `fig`, as Markdown the Dagster UI renders in metadata."""
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return f"![{name}](data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()})"


def chart_data(spec, series, observations):
    """Points, reference lines and extra rows (base, total) of a chart, with the decimals the
    source printed."""
    written = dict(zip(observations["observation_id"], observations["number_text"]))
    page = dict(zip(observations["observation_id"], observations["page"])) \
        if "page" in observations else {}

    def decimals(frame_or_row):
        text = written.get(frame_or_row["observation_id"])
        if text is None:  # a derived point: as precise as its unit is usually shown
            return 0 if frame_or_row["unit"] in ("count", "eur") else 1
        return written_decimals(text)

    points = select_points(spec, series)
    if len(points):
        points = points.assign(decimals=[decimals(r) for r in points.to_dict("records")],
                               page=[page.get(o) for o in points["observation_id"]])
    refs = [{**r, "decimals": decimals(r), "page": page.get(r.get("observation_id"))}
            for r in select_references(spec, series)]
    extras = {}
    for key in ("base", "total"):
        row = select_extra(spec, series, key)
        extras[key] = {**row, "decimals": decimals(row),
                       "page": page.get(row.get("observation_id"))} if row else None
    return points, refs, extras


DRAW = {"draw": True}  # what a dry run of render_chart returns for a chart it would draw


def render_chart(spec: dict, series: pd.DataFrame, observations: pd.DataFrame,
                 indicators: pd.DataFrame, documents: pd.DataFrame, labels: dict,
                 out_dir: Path, previous: dict | None = None, dry_run: bool = False) -> dict | None:
    """Write one chart in both languages (PNG for two columns and one column, SVG, alt text,
    long description) and its public CSV; None when it has too little data to draw. A chart
    whose fingerprint has not changed is not redrawn; `dry_run` returns DRAW instead of
    drawing one that would be."""
    points, refs, extras = chart_data(spec, series, observations)
    if len(points) < 2 and spec["form"] != "stacked":
        return None
    rows = public_rows(spec, points, refs, extras, labels, indicators, documents)
    key = fingerprint(spec, rows, labels, documents)
    if previous and previous.get("fingerprint") == key and all(
            (out_dir / f).is_file() for f in previous["files"].values()):
        return {**previous, "redrawn": False}
    if dry_run:
        return DRAW
    plt = _setup()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = spec["chart_id"]
    made = {"chart_id": stem, "family": spec["family"], "form": spec["form"],
            "entity": spec.get("entity", ""), "texts": {}, "files": {}, "layout": {},
            "fingerprint": key, "redrawn": True,
            "years": sorted({r["period"][:4] for r in rows}),
            "documents": sorted({r["document"] for r in rows}),
            "statuses_fr": sorted({r["status_fr"] for r in rows if r["status_fr"]}),
            "statuses_nl": sorted({r["status_nl"] for r in rows if r["status_nl"]})}
    with atomic_path(out_dir / f"{stem}.csv") as tmp:
        pd.DataFrame(rows)[PUBLIC_COLUMNS].to_csv(tmp, index=False)
    made["files"]["csv"] = f"{stem}.csv"
    for lang in LANGS:
        texts = chart_texts(spec, points, refs, extras, labels, documents, lang)
        made["texts"][lang] = {k: v for k, v in texts.items()}
        for size in ("wide", "narrow"):
            fig = draw(spec, points, refs, texts, labels, lang, size)
            made["layout"][f"{lang}_{size}"] = layout_problems(fig)
            suffix = "" if size == "wide" else "_1col"
            # print PNG at 300 dpi; for the wide size also the SVG and a screen PNG at 96 dpi
            # (web pages, slides, the Dagster UI)
            outputs = [("png", "", {"dpi": 300})] + (
                [("svg", "", {"metadata": {"Date": None}}), ("png", "_screen", {"dpi": 96})]
                if size == "wide" else [])
            for ext, screen, options in outputs:
                name = f"{stem}_{lang}{suffix}{screen}.{ext}"
                with atomic_path(out_dir / name) as tmp:
                    fig.savefig(tmp, format=ext, **options)
                made["files"][f"{ext}_{lang}{suffix}{screen}"] = name
            if lang == "fr" and size == "wide":
                made["thumbnail"] = thumbnail_markdown(fig, stem)
            plt.close(fig)
        write_text(texts["alt"] + "\n", out_dir / f"{stem}_{lang}.txt")
        write_text(texts["long"], out_dir / f"{stem}_{lang}_long.txt")
        made["files"][f"alt_{lang}"] = f"{stem}_{lang}.txt"
        made["files"][f"long_{lang}"] = f"{stem}_{lang}_long.txt"
    return made


def draw_in_worker(args: tuple, dry_run: bool = False) -> dict | None:
    """render_chart for a worker process: (spec, tables, labels, folder, previous record); an
    error comes back as its text, so the other charts are still drawn."""
    spec, data, labels, folder, previous = args
    try:
        return render_chart(spec, data["series"], data["observations"], data["indicators"],
                            data["documents"], labels, folder, previous, dry_run)
    except Exception as exc:  # noqa: BLE001 - reported per chart by the step
        return {"error": f"chart {spec['chart_id']}: {type(exc).__name__}: {exc}"}
