"""Read numbers as they are written in French administrative texts.

Handles space, no-break-space and dot thousands ("163 337", "1.867", "752.262.000"), the decimal
comma ("2,78") and, when asked, a decimal dot ("28.5 millions"), "%" with or without a space,
scale words (millions, milliards), a sign glued to the number, and numbers spelled out in words
("vingt", "quarante-deux").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

SPACES = " \u00a0\u202f"
_SP = f"[{SPACES}]"

# Longest forms first: space-grouped thousands, dot-grouped thousands, comma-grouped thousands
# of an English-style text ("1,000,000": two groups or more, never a decimal comma, so never
# read as 1,0), then plain digits.
DIGITS = re.compile(
    rf"(?<![\w.,])"
    rf"(\d{{1,3}}(?:{_SP}\d{{3}})+(?:,\d+)?(?![\d])"
    rf"|\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?(?![\d.])"
    rf"|\d{{1,3}}(?:,\d{{3}}){{2,}}(?![\d,])"
    rf"|\d+(?:[.,]\d+)?(?![\d]))"
)
PERCENT_AFTER = re.compile(rf"^(?:{_SP}?%|{_SP}+pour{_SP}+cent\b)", re.IGNORECASE)
# A sign set apart from a percentage by one space ("- 21%", "+ 3 %"), as the budget tables print
# changes. Only before a percentage: in a table row "2003 8.829 - 0,9" the dash is an empty cell.
SPACED_SIGN_BEFORE = re.compile(rf"(?:^|[\s(:;])([-\u2212+]){_SP}$")
SCALE_AFTER = re.compile(rf"^{_SP}+(millions?|milliards?|mio|mia|mrd|mln|miljoen|miljard)\b",
                         re.IGNORECASE)
SCALES = {"million": 1e6, "millions": 1e6, "mio": 1e6, "milliard": 1e9, "milliards": 1e9,
          "mia": 1e9, "mrd": 1e9, "mln": 1e6, "miljoen": 1e6, "miljard": 1e9}
SIGN_BEFORE = re.compile(r"(?:^|[\s(:;])([-\u2212\u2013+])$")

UNITS_WORDS = ("deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
               "seize vingt vingts trente quarante cinquante soixante cent cents mille").split()
_WORD = "|".join(sorted(UNITS_WORDS, key=len, reverse=True))
WORDS = re.compile(
    rf"(?<![\w-])((?:{_WORD})(?:(?:-et-|-| et | )(?:un|une|{_WORD}))*)(?![\w-])",
    re.IGNORECASE,
)


# Approximate quantities and fractions written as nouns: "une quarantaine" (about 40),
# "la moitié" (1/2), "deux tiers" (2/3). Read as their value; a register marks them approx.
APPROX_NOUNS = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
                "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
                "centaines": 100, "millier": 1000, "milliers": 1000}
FRACTIONS = {"moitié": 1 / 2, "tiers": 1 / 3, "deux tiers": 2 / 3, "quart": 1 / 4,
             "trois quarts": 3 / 4}
NOUNS = re.compile(r"(?<![\w-])(" + "|".join(sorted([*APPROX_NOUNS, *FRACTIONS], key=len,
                                                      reverse=True)) + r")(?![\w-])", re.IGNORECASE)


# "un million", "une" never being a number word on its own: the scale word makes it one
ONE_SCALE = re.compile(rf"(?<![\w-])(un){_SP}+(millions?|milliards?)(?![\w-])", re.IGNORECASE)


class NumberFormatError(ValueError):
    """A text that should hold a number does not hold a readable one."""


@dataclass(frozen=True)
class NumberToken:
    """One number found in a text, with its position and how it reads."""

    text: str
    start: int
    end: int
    value: float
    percent: bool = False
    scale_word: str | None = None
    spelled: bool = False

    @property
    def scaled_value(self) -> float:
        return self.value * (SCALES[self.scale_word.lower()] if self.scale_word else 1)


def parse_digits(text: str, decimal: str = ",") -> float:
    """Value of one written number such as "163 337", "1.867", "2,78" or "-3,5".

    `decimal` is the decimal separator: "," (the French default) or "." for the rare text
    that uses a decimal dot ("28.5").
    """
    raw = text.strip()
    sign = 1.0
    if raw and raw[0] in "-\u2212\u2013+":
        sign = -1.0 if raw[0] != "+" else 1.0
        raw = raw[1:].strip()
    for sp in SPACES:
        raw = raw.replace(sp, "")
    if not raw or not re.fullmatch(r"[\d.,]+", raw) or not raw[0].isdigit() or not raw[-1].isdigit():
        raise NumberFormatError(f"not a number: {text!r}")
    if re.fullmatch(r"\d{1,3}(,\d{3}){2,}", raw):
        return sign * float(raw.replace(",", ""))  # "1,000,000": English thousands
    if decimal == ".":
        if raw.count(".") > 1 or "," in raw and raw.rindex(",") > raw.find("."):
            raise NumberFormatError(f"not a decimal-dot number: {text!r}")
        return sign * float(raw.replace(",", ""))
    if raw.count(",") > 1:
        raise NumberFormatError(f"several decimal commas: {text!r}")
    whole, _, frac = raw.partition(",")
    groups = whole.split(".")
    if len(groups) > 1:
        if any(len(g) != 3 for g in groups[1:]) or not 1 <= len(groups[0]) <= 3:
            if len(groups) == 2 and not frac:
                raise NumberFormatError(
                    f"{text!r} reads as a decimal dot: declare decimal_separator: '.'")
            raise NumberFormatError(f"badly grouped thousands: {text!r}")
    return sign * float("".join(groups) + ("." + frac if frac else ""))


def parse_words(text: str) -> float:
    """Value of a number written in French words, such as "vingt" or "quarante-deux"."""
    try:
        return float(text2num(re.sub(r"\s+", " ", text.strip().lower()), "fr"))
    except ValueError as exc:
        raise NumberFormatError(f"not a number in words: {text!r}") from exc


def find_numbers(text: str, decimal: str = ",", words: bool = True) -> list[NumberToken]:
    """Every number written in `text`, left to right, in digits and (optionally) in words."""
    found: list[NumberToken] = []
    for m in DIGITS.finditer(text):
        start, token = m.start(), m.group(1)
        sign = SIGN_BEFORE.search(text[:start])
        if sign:
            start -= 1
            token = text[start:m.end()]
        if decimal == "," and re.fullmatch(r"\d{1,3}\.\d{1,2}|\d+\.\d{4,}", m.group(1)):
            value = parse_digits(token, ".")  # "28.5": only a decimal dot reads this way
        else:
            value = parse_digits(token, decimal)
        after = text[m.end():]
        scale = SCALE_AFTER.match(after)
        percent = bool(PERCENT_AFTER.match(after))
        spaced = SPACED_SIGN_BEFORE.search(text[:start]) if not sign and percent else None
        if spaced and spaced.group(1) != "+":
            value = -value  # the token keeps its place on the line; the sign gives its value
        found.append(NumberToken(token, start, m.end(), value, percent=percent,
                                 scale_word=scale.group(1) if scale else None))
    if words:
        spelled = [t for t in _spelled_numbers(text)  # "3,5 pour cent": a percent sign, not 100
                   if not (t.text.lower() in ("cent", "cents")
                           and re.search(rf"pour{_SP}+$", text[:t.start], re.IGNORECASE))]
        spelled += [NumberToken(m.group(0), m.start(), m.end(), SCALES[m.group(2).lower()],
                                spelled=True) for m in ONE_SCALE.finditer(text)]
        nouns = [NumberToken(m.group(1), m.start(), m.end(),
                             float(APPROX_NOUNS.get(m.group(1).lower(),
                                                    FRACTIONS.get(m.group(1).lower(), 0))),
                             spelled=True)
                 for m in NOUNS.finditer(text)]
        # "deux tiers": the fraction wins over the bare number word it contains
        spelled = [t for t in spelled if not any(n.start <= t.start < n.end for n in nouns)]
        found.extend(spelled + nouns)
    return sorted(found, key=lambda t: t.start)


def _spelled_numbers(text: str) -> list[NumberToken]:
    """Numbers in words: each run of number words is cut into the longest readable numbers."""
    tokens = []
    for m in WORDS.finditer(text):
        parts = [(p.start() + m.start(), p.end() + m.start())
                 for p in re.finditer(r"[^\s-]+", m.group(1))]
        i = 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                start, end = parts[i][0], parts[j - 1][1]
                try:
                    value = parse_words(text[start:end])
                except NumberFormatError:
                    continue
                after = text[end:]
                scale = SCALE_AFTER.match(after)
                tokens.append(NumberToken(text[start:end], start, end, value,
                                          percent=bool(PERCENT_AFTER.match(after)),
                                          scale_word=scale.group(1) if scale else None,
                                          spelled=True))
                i = j
                break
            else:
                i += 1
    return tokens


def pick_number(quote: str, number: str | None = None, decimal: str = ",") -> NumberToken:
    """The one number a register quote states: the only number in it, or the one named by `number`.

    `number` is the number exactly as written in the quote (e.g. "242 454"); it is needed when
    the quote holds several numbers, and must then match exactly one of them.
    """
    tokens = find_numbers(quote, decimal)
    if number is not None:
        chosen = [t for t in tokens if t.text == number or t.text.lstrip("-\u2212\u2013+") == number]
        if len(chosen) != 1:
            seen = ", ".join(repr(t.text) for t in tokens) or "none"
            raise NumberFormatError(
                f"number {number!r} must occur exactly once among the numbers of the quote "
                f"(found {len(chosen)}; numbers read: {seen})")
        return chosen[0]
    if len(tokens) != 1:
        seen = ", ".join(repr(t.text) for t in tokens) or "none"
        raise NumberFormatError(
            f"quote must hold exactly one number, or name it with `number:` (numbers read: {seen})")
    return tokens[0]


# Frequencies written in words ("annuellement", "deux fois par an", "tous les deux ans"), read as
# times per year. The longest expressions come first, so "deux fois par an" wins over "par an".
_N = rf"(\d+|{_WORD}|une?)"
FREQUENCIES = [
    (rf"\b{_N}\s+fois\s+par\s+(an|année)\b", None),
    (r"\btous\s+les\s+deux\s+ans\b|\bbis?annuel(le)?s?\b|\bbisannuellement\b", 0.5),
    (r"\b(mensuel(le)?s?|mensuellement|chaque\s+mois|tous\s+les\s+mois)\b", 12),
    (r"\b(trimestriel(le)?s?|trimestriellement|chaque\s+trimestre)\b", 4),
    (r"\b(semestriel(le)?s?|semestriellement|chaque\s+semestre)\b", 2),
    (r"\b(annuel(le)?s?|annuellement|chaque\s+année|tous\s+les\s+ans|par\s+année\s+civile)\b", 1),
]


def read_frequency(text: str, number: str | None = None) -> NumberToken:
    """The one frequency a quote states, in times per year ("chaque mois" reads 12); `number`
    names it, as written, when the quote holds several ("chaque année son rapport annuel")."""
    found, taken = [], []
    for pattern, value in FREQUENCIES:
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # inside a longer frequency already read ("deux fois par an")
            taken.append(m.span())
            if value is None:
                count = m.group(1).lower()
                value_of = float(count) if count.isdigit() else 1.0 if count in ("un", "une") \
                    else parse_words(count)
            else:
                value_of = value
            found.append(NumberToken(m.group(0), m.start(), m.end(), float(value_of),
                                     spelled=True))
    if number is not None:
        found = [t for t in found if t.text == number]
    if len(found) == 1:
        return found[0]
    seen = ", ".join(repr(t.text) for t in found) or "none"
    raise NumberFormatError(f"a frequency quote must hold one frequency (annuel, chaque mois, deux "
                            f"fois par an, ...) or name it with `number:` (found: {seen})")


MONTH_NUMBERS = {"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5,
                 "juin": 6, "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10,
                 "novembre": 11, "décembre": 12, "decembre": 12}
_MONTH = "|".join(MONTH_NUMBERS)
_YEAR = r"(?:19|20)\d\d"
# A deadline as written, each giving (year or None, month, day or None: the last day of the month).
DEADLINES = [
    (rf"\b(?P<day>\d{{1,2}})(?:er)?\s+(?P<month>{_MONTH})(?:\s+(?P<year>{_YEAR}))?", None),
    (rf"\bfin\s+(?:de\s+l[’']année\s+|d[’']année\s+)?(?P<year>{_YEAR})\b", (12, 31)),
    (rf"\bpremier\s+semestre\s+(?:de\s+)?(?P<year>{_YEAR})\b", (6, 30)),
    (rf"\bsecond\s+semestre\s+(?:de\s+)?(?P<year>{_YEAR})\b", (12, 31)),
    (r"\bfin\s+du\s+premier\s+trimestre\b", (3, 31)),
    (rf"\b{_YEAR}\s*[-–/]\s*(?P<year>{_YEAR})\b", (12, 31)),  # "(2024-2025)": by the end of 2025
    (rf"\ben\s+(?P<month>{_MONTH})\b", None),
    (rf"(?:\bcourant\s+de\s+|\ben\s+|(?<=\())(?P<year>{_YEAR})\b", (12, 31)),
]


def read_deadline(text: str, yearly: bool) -> NumberToken:
    """The deadline a quote states: a calendar date (value: days since 1970-01-01), or, when
    `yearly`, a day that recurs every year (value: day of the year, 31 March = 90)."""
    import calendar
    from datetime import date

    for pattern, fixed in DEADLINES:
        m = re.search(pattern, text, re.IGNORECASE)
        if not m:
            continue
        groups = m.groupdict()
        year = int(groups["year"]) if groups.get("year") else None
        if fixed:
            month, day = fixed
        else:
            month = MONTH_NUMBERS[groups["month"].lower()]
            day = int(groups["day"]) if groups.get("day") else None
        if yearly != (year is None):
            continue
        day = day or calendar.monthrange(year or 2001, month)[1]
        try:
            when = date(year or 2001, month, day)
        except ValueError as exc:
            raise NumberFormatError(f"not a date: {m.group(0)!r}") from exc
        value = when.timetuple().tm_yday if yearly else (when - date(1970, 1, 1)).days
        return NumberToken(m.group(0), m.start(), m.end(), float(value), spelled=True)
    kind = "a day of the year without a year (le 31 mars, en novembre)" if yearly \
        else "a dated deadline (31 mars 2024, fin de l'année 2024, premier semestre 2025)"
    raise NumberFormatError(f"no {kind} in {text!r}")


def written_decimals(number_text) -> int:
    """Decimals as the source printed the number ("1,65" -> 2, "253 866" -> 0)."""
    text = str(number_text or "")
    match = re.search(r"[,.](\d+)$", text.replace(" ", "").replace("\u00a0", ""))
    if not match or "." in text and len(match.group(1)) == 3:
        return 0
    return len(match.group(1))
