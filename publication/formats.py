"""Numbers as the report prints them, in French (fr_BE) or Dutch (nl_BE).

Grouping and decimal signs come from babel's locale data; the rest is typography: a no-break
space inside numbers and before "%" in French (so "52,2 %" never breaks), the euro sign after the
amount in French and before it in Dutch, "M€"/"milliard(s)" for large amounts, "point"/"points"
for changes of a percentage, and never more decimals than the source printed.
"""
from __future__ import annotations

from babel.numbers import format_decimal

LOCALES = {"fr": "fr_BE", "nl": "nl_BE"}
NBSP, NNBSP = "\u00a0", "\u202f"
BOUNDS = {"fr": {"lower_bound": "plus de ", "upper_bound": "moins de ", "approx": "environ "},
          "nl": {"lower_bound": "meer dan ", "upper_bound": "minder dan ", "approx": "ongeveer "}}
SIGNS = {"lower_bound": ">", "upper_bound": "<", "approx": "±"}


def number(value: float, lang: str, decimals: int = 0) -> str:
    """`value` with the locale's grouping and decimal signs; groups joined by a no-break space."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(round(value, decimals) if decimals > 0 else round(value), format=pattern,
                          locale=LOCALES[lang])
    return text.replace(NNBSP, NBSP).replace(" ", NBSP)


def amount_eur(value: float, lang: str, decimals: int | None = None, words: bool = False) -> str:
    """Euros: below a million to the euro; millions as "48,3 M€" / "€ 48,3 mln"; billions as
    "1,7 milliard d'euros" / "€ 1,7 miljard" (one decimal, none from 100 up). With `words`, as
    a sentence says it: "48,3 millions d'euros", "48,3 miljoen euro"."""
    size = abs(value)
    if size < 1e6:
        text = number(value, lang, decimals or 0)
        if words:
            return f"{text}{NBSP}euros" if lang == "fr" else f"{text}{NBSP}euro"
        return f"{text}{NBSP}€" if lang == "fr" else f"€{NBSP}{text}"
    if words:
        scale = 1e9 if size >= 1e9 else 1e6
        scaled = value / scale
        places = 0 if abs(scaled) >= 100 else 1
        text = number(scaled, lang, places)
        many = abs(round(scaled, places)) >= 2
        if lang == "nl":
            return f"{text}{NBSP}{'miljard' if scale == 1e9 else 'miljoen'} euro"
        word = ("milliard" if scale == 1e9 else "million") + ("s" if many else "")
        return f"{text}{NBSP}{word} d’euros"
    scale, words = (1e9, {"fr": ("milliard", "milliards"), "nl": ("miljard", "miljard")}) \
        if size >= 1e9 else (1e6, {"fr": ("M€", "M€"), "nl": ("mln", "mln")})
    scaled = value / scale
    places = 0 if abs(scaled) >= 100 else 1
    text = number(scaled, lang, places)
    if lang == "nl":
        return f"€{NBSP}{text}{NBSP}{words['nl'][0]}"
    if scale == 1e6:
        return f"{text}{NBSP}M€"
    word = words["fr"][0] if abs(round(scaled, places)) < 2 else words["fr"][1]
    return f"{text}{NBSP}{word} d’euros"


def points(value: float, lang: str, decimals: int = 1) -> str:
    """A change of a percentage: "0,4 point", "2,4 points"; "0,4 procentpunt", "2,4 procentpunten"."""
    text = number(abs(value), lang, decimals)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    singular = abs(round(value, decimals)) < 2
    word = {"fr": ("point", "points"), "nl": ("procentpunt", "procentpunten")}[lang][
        0 if singular else 1]
    return f"{sign}{text}{NBSP}{word}"


def percent(value: float, lang: str, decimals: int = 0) -> str:
    """"52,2 %" in French (no-break space), "52,2%" in Dutch."""
    text = number(value, lang, decimals)
    return f"{text}{NBSP}%" if lang == "fr" else f"{text}%"


UNIT_WORDS = {
    "count": ("", ""), "days": ("jours", "dagen"), "working_days": ("jours ouvrables", "werkdagen"),
    "months": ("mois", "maanden"), "years": ("ans", "jaar"), "fte": ("ETP", "vte"),
}


def value(value: float, unit: str, lang: str, decimals: int = 0, words: bool = False) -> str:
    """A value in its unit, as a label ("52,2 %", "48,3 M€", "144 jours", "253 866") or, with
    `words`, as a sentence writes it ("48,3 millions d'euros")."""
    if unit in ("percent",):
        return percent(value, lang, decimals)
    if unit == "percentage_point_change":
        return points(value, lang, decimals)
    if unit == "percent_change":
        sign = "+" if value > 0 else "−" if value < 0 else ""
        return sign + percent(abs(value), lang, decimals)
    if unit.startswith("eur"):
        return amount_eur(value, lang, decimals, words)
    word = UNIT_WORDS.get(unit, ("", ""))[0 if lang == "fr" else 1]
    text = number(value, lang, decimals)
    return f"{text}{NBSP}{word}" if word else text


def qualified(text: str, qualifier: str, lang: str, style: str = "words") -> str:
    """A formatted value with its qualifier: "plus de 4 %" in a sentence, "> 4 %" on a chart."""
    if qualifier not in SIGNS:
        return text
    if style == "sign":
        return f"{SIGNS[qualifier]}{NBSP}{text}"
    return BOUNDS[lang][qualifier].replace(" ", NBSP) + text
