"""How precisely a figure is written: the basis of every rounding tolerance."""
from __future__ import annotations

import re

SPACES = (" ", "\u00a0", "\u202f")


def half_unit(obs) -> float:
    """Half the unit of the last written digit of a figure, in the figure's own units.

    "5,1" is known to ±0,05; "2,78 milliards" to ±0,005 milliard; "1.867" to ±0,5.
    Numbers in words are exact.
    """
    text = str(obs["number_text"]).lstrip("+-\u2212\u2013")
    for sp in SPACES:
        text = text.replace(sp, "")
    if not re.fullmatch(r"\d[\d.,]*", text):
        return 0.0  # numbers in words, frequencies ("chaque mois") and dates are exact
    decimals = 0
    if "," in text:
        decimals = len(text.rsplit(",", 1)[1])
    elif "." in text and len(text.rsplit(".", 1)[1]) != 3:
        decimals = len(text.rsplit(".", 1)[1])
    raw = float(text.replace(".", "").replace(",", "")) / 10 ** decimals
    factor = abs(obs["value"]) / raw if raw else 1.0
    return 0.5 * 10 ** -decimals * factor
