"""Suggested meanings for the numbers of a new document, learned from the existing registers.

Every registered figure is a precedent: the words just around its number, its sentence (or table
row) and the label of its row, with the numbers masked. A new number takes the indicator of the
precedent whose words are nearest (rapidfuzz string similarity, in C++, on every pair at once), a
precedent of the same publisher weighing more; below `THRESHOLD` no indicator is suggested and a
draft catalogue entry is proposed instead, for a person to define: a suggestion never invents a
code. The rest is read from the new document itself with the register lint's cues: the period
from a table's header of years or a year in the sentence (else the document's period, not
stated), the kind from the words of norms, targets and estimates (else what documents of the same
kind mostly hold: norms in an administration contract), the qualifier from "plus de",
"environ", ..., the geography from a place named in the row or sentence, the entity from the
sentence naming the publisher. Each field carries a confidence in [0, 1]; every suggestion stays
marked `todo: confirm` until a person has read it against the document.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from sources.lint import (APPROX_BEFORE, BOUND_BEFORE, CHANGE_BEFORE, ESTIMATE_WORDS, FOREIGN,
                          NORM_WORDS, OWN_ORGANISATION, YEAR, sentence_of)
from sources.numbers import find_numbers
from sources.places import slug

THRESHOLD = 0.65  # below this similarity no indicator is suggested (chosen with bench.suggest)
SAME_PUBLISHER = 0.08  # added to the similarity of a precedent from the same publisher
WEIGHTS = (0.5, 0.3, 0.2)  # words around the number, its sentence, its row label or table title
LOWER_WORDS = re.compile(r"(plus de|au moins|supérieure?s? à|minimum|au-delà de|pas moins de|"
                         r"dépasser)\s*$", re.IGNORECASE)
TARGET_WORDS = re.compile(r"objectif|nous visons|valeur cible|viser", re.IGNORECASE)
REGION_WORDS = [  # the ways the documents name Belgium's regions and community
    (re.compile(r"\b(Région de Bruxelles-Capitale|Bruxelles|bruxellois\w*|Brussel)\b"), "BE1"),
    (re.compile(r"\b(Région flamande|Flandre|flamand\w*|Vlaanderen)\b"), "BE2"),
    (re.compile(r"\b(Région wallonne|Wallonie|wallon\w*)\b"), "BE3"),
    (re.compile(r"\b(Communauté germanophone|germanophone\w*)\b"), "BE-DG"),
]
STOPWORDS = set("le la les l de des du d un une et en à au aux par pour sur dans ou est sont a ont "
                "été qui que qu ce cet cette ses son sa leur leurs nos notre plus avec se ne pas "
                "soit".split())


def mask(text: str) -> str:
    """Lower-case words with every year as `yyyy` and every other number as `#`."""
    text = YEAR.sub(" yyyy ", text)
    out, last = [], 0
    for token in find_numbers(text):
        out += [text[last:token.start], " # "]
        last = token.end
    out.append(text[last:])
    return " ".join("".join(out).lower().split())


SHORT_UNITS = {"eur": ["€", "EUR", "euro"], "fte": ["ETP"], "minutes": ["min"], "hours": ["h"]}


def unit_words(units: dict) -> list[tuple[re.Pattern, str]]:
    """How the words after a number name its unit, from the vocabulary's French labels (longest
    first: "jours ouvrables" before "jours"), after a scale word ("milliards d'euros")."""
    names = [(label["fr"], code) for code, label in units.items() if isinstance(label, dict)]
    names += [(word, code) for code, words in SHORT_UNITS.items() for word in words]
    names.sort(key=lambda n: -len(n[0]))
    scale = r"(?:(?:milliards?|millions?|milliers?)\s+(?:d[’'])?\s*)?"
    return [(re.compile(rf"^\s*{scale}{re.escape(name)}s?(?![^\W\d_])", re.IGNORECASE), code)
            for name, code in names if code not in ("percent", "count", "date", "ratio", "score",
                                                    "index", "day_of_year")]


def unit_hint(after: str, words: list[tuple[re.Pattern, str]]) -> str | None:
    """The unit the words right after a number name, if any."""
    return next((code for pattern, code in words if pattern.match(after)), None)


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def table_context(lines: list[str], line: int, start: int) -> dict:
    """For a number in a tab-separated row: the row's label (its year, in a column of years),
    its cell index (from the right), and the header row above that names years, with its
    line."""
    text = lines[line - 1]
    if "\t" not in text:
        return {}
    row = cells(text)
    index = text[:start].count("\t")
    from_right = len(row) - 1 - index
    found = {"label": row[0] if index > 0 else "", "from_right": from_right}
    if index > 0 and YEAR.fullmatch(row[0]):  # a column of years: the row's own year
        found["row_year"] = row[0]
    for n in range(line - 1, max(0, line - 30), -1):
        header = lines[n - 1]
        if "\t" not in header:
            continue
        head = cells(header)
        if len(head) > from_right and YEAR.fullmatch(head[len(head) - 1 - from_right] or ""):
            found.update(year=head[len(head) - 1 - from_right], header_line=n)
            break
    for n in range(line - 1, max(0, line - 30), -1):  # the title above the table
        if lines[n - 1].strip() and "\t" not in lines[n - 1]:
            found["title"] = lines[n - 1].strip()
            break
    return found


@dataclass
class Context:
    """The words a number is read with."""

    around: str
    sentence: str
    label: str
    before: str
    table: dict
    text: str  # the sentence as written
    at: int  # where the number is in it (-1: not found)
    after: str  # the words right after the number

    @classmethod
    def of(cls, lines: list[str], line: int, start: int, end: int) -> "Context":
        text = lines[line - 1]
        table = table_context(lines, line, start)
        before = text[:start]
        if len(before.split()) < 3 and line > 1:
            before = next((lines[n - 1] for n in range(line - 1, max(0, line - 4), -1)
                           if lines[n - 1].strip()), "") + " " + before
        around = " ".join(before.split()[-6:] + ["#"] + text[end:].split()[:6])
        sentence = sentence_of(lines, line, start, end)
        label = " | ".join(x for x in (table.get("title"), table.get("label")) if x)
        at = sentence.find(" ".join(text[start:end].split()))
        return cls(mask(around), mask(sentence), mask(label), before[-40:], table, sentence, at,
                   text[end:end + 40])


class Suggester:
    """Suggests meanings from the precedents of `figures` (loader dicts, of other documents)."""

    def __init__(self, cat, figures: list[dict]):
        self.cat = cat
        self.figures = figures
        contexts = [Context.of(cat.document_lines(f["document_id"]), f["line"], *f["_span"])
                    for f in figures]
        self.around = [c.around for c in contexts]
        self.sentence = [c.sentence for c in contexts]
        self.label = [c.label for c in contexts]
        self.publisher = np.array([cat.documents[f["document_id"]]["publisher"] for f in figures])
        self.percent = np.array([f["unit"] in ("percent", *cat.vocabulary["change_units"])
                                 for f in figures])
        self.words = unit_words(cat.vocabulary["units"])
        self.kinds: dict[str, Counter] = {}  # the kinds read in each kind of document
        for f in figures:
            self.kinds.setdefault(cat.documents[f["document_id"]]["kind"], Counter())[f["kind"]] += 1
        self.hint = np.array([str(unit_hint(c.after, self.words)) for c in contexts])

    def suggest_all(self, doc_id: str, numbers: list[tuple[int, object]]) -> list[dict]:
        """A suggestion for each (line, token) of document `doc_id`."""
        from rapidfuzz import fuzz, process

        lines = self.cat.document_lines(doc_id)
        contexts = [Context.of(lines, line, token.start, token.end) for line, token in numbers]
        if self.figures and contexts:
            w = WEIGHTS
            score = (w[0] * process.cdist([c.around for c in contexts], self.around,
                                          scorer=fuzz.ratio, workers=-1)
                     + w[1] * process.cdist([c.sentence for c in contexts], self.sentence,
                                            scorer=fuzz.token_set_ratio, workers=-1)
                     + w[2] * process.cdist([c.label for c in contexts], self.label,
                                            scorer=fuzz.ratio, workers=-1)) / 100
            score = score + SAME_PUBLISHER * (self.publisher == self.cat.documents[doc_id]["publisher"])
            percent = np.array([token.percent for _, token in numbers])
            hint = np.array([str(unit_hint(c.after, self.words)) for c in contexts])
            alike = (percent[:, None] == self.percent[None, :]) & (hint[:, None] == self.hint[None, :])
            score = np.where(alike, score, 0)
        else:
            score = np.zeros((len(contexts), 0))
        return [self._fields(doc_id, lines, line, token, context, row)
                for (line, token), context, row in zip(numbers, contexts, score)]

    def _fields(self, doc_id, lines, line, token, context: Context, scores) -> dict:
        doc = self.cat.documents[doc_id]
        best = int(np.argmax(scores)) if len(scores) else None
        similarity = float(min(scores[best], 1.0)) if best is not None else 0.0
        precedent = self.figures[best] if best is not None and similarity >= THRESHOLD else None
        fields, confidence = {}, {}

        def put(name, value, conf):
            fields[name] = value
            confidence[name] = round(conf, 2)

        changes = self.cat.vocabulary["change_units"]
        if precedent:
            put("indicator", precedent["indicator"], similarity)
            unit = self.cat.indicators[precedent["indicator"]]["unit"]
            if token.percent and unit != "percent":  # a change of a level in percent
                unit = precedent["unit"] if precedent["unit"] in changes else "percent_change"
            put("unit", unit, similarity)
        else:
            put("indicator", None, 0)
            hint = "percent" if token.percent else unit_hint(context.after, self.words)
            put("unit", hint, 0.8 if hint else 0)
        if token.percent and CHANGE_BEFORE.search(context.before):
            put("unit", "percent_change", 0.8)
        self._period(doc, context, put)
        if NORM_WORDS.search(context.text):
            put("kind", "target" if TARGET_WORDS.search(context.text) else "threshold", 0.7)
        elif ESTIMATE_WORDS.search(context.text):
            put("kind", "estimate", 0.6)
            words = context.text
            put("obs_status", "p" if "provisoire" in words else
                "f" if re.search(r"prévu|prévi|devrai|projet|projection", words) else "e", 0.5)
        else:  # what documents of this kind mostly hold (an administration contract: norms)
            kinds = self.kinds.get(doc["kind"])
            kind, count = kinds.most_common(1)[0] if kinds else ("observed", 0)
            put("kind", kind, count / sum(kinds.values()) if kinds else 0.5)
        if BOUND_BEFORE.search(context.before):
            lower = LOWER_WORDS.search(context.before)
            put("qualifier", "lower_bound" if lower else "upper_bound", 0.8)
        elif APPROX_BEFORE.search(context.before):
            put("qualifier", "approx", 0.8)
        else:
            put("qualifier", "exact", 0.8)
        self._geo(context, lines[line - 1], put, precedent)
        self._entity(doc, context, put, precedent, similarity)
        draft = None if precedent else draft_indicator(context, lines[line - 1], token)
        return {"fields": fields, "confidence": confidence, "similarity": round(similarity, 2),
                "precedent": best_precedent(self.figures[best]) if best is not None else None,
                "indicator_draft": draft}

    @staticmethod
    def _period(doc: dict, context: Context, put) -> None:
        table = context.table
        if table.get("row_year"):
            put("period", table["row_year"], 0.8)
            put("period_basis", "stated", 0.8)
            return
        if table.get("year"):
            put("period", table["year"], 0.8)
            put("period_basis", "inferred", 0.8)
            put("period_line", table["header_line"], 0.8)
            return
        years = [(m.group(0), m.start()) for m in YEAR.finditer(context.text)]
        if years:
            # the nearest year, one before the number winning a tie
            year = min(years, key=lambda y: (abs(y[1] - context.at), y[1] > context.at))[0]
            put("period", year, 0.7 if len({y for y, _ in years}) == 1 else 0.4)
            put("period_basis", "stated", 0.7)
            return
        covered = str(doc.get("period_covered", ""))
        put("period", covered if YEAR.match(covered) else None, 0.3)  # "?" in a draft entry
        put("period_basis", "not_stated", 0.5)

    def _geo(self, context: Context, line_text: str, put, precedent) -> None:
        label = "" if context.table.get("row_year") else context.table.get("label") or ""
        by_region = re.search(r"r[ée]gion|gewest", context.table.get("title", ""), re.IGNORECASE)
        if label and by_region:  # "Bruxelles" in a table by region is the region
            code = next((code for pattern, code in REGION_WORDS if pattern.search(label)), None)
            if code:
                put("geo", code, 0.8)
                return
        if label:
            try:
                put("geo", self.cat.places.resolve_place(label), 0.8)
                return
            except ValueError:
                pass
        where = label + " " + (context.text if "\t" not in line_text else "")
        for pattern, code in REGION_WORDS:
            if pattern.search(where):
                put("geo", code, 0.6)
                return
        if FOREIGN.search(where):
            put("geo", None, 0)  # a foreign place: to be read by a person
            return
        put("geo", "BE", 0.5 if not precedent or precedent["geo"] == "BE" else 0.3)

    def _entity(self, doc: dict, context: Context, put, precedent, similarity: float) -> None:
        own = OWN_ORGANISATION.search(context.text)
        publisher_entity = publisher_entity_of(self.cat.vocabulary["entities"], doc["publisher"])
        if own and publisher_entity:
            put("entity", publisher_entity, 0.7)
        elif precedent and precedent["entity"] and self.cat.documents[
                precedent["document_id"]]["publisher"] == doc["publisher"]:
            put("entity", precedent["entity"], similarity * 0.8)
        else:
            put("entity", None, 0.5)


def publisher_entity_of(entities: dict, publisher: str) -> str | None:
    """The entity a document's publisher is: its French name, or the abbreviation the name
    gives in brackets ("... (CAPAC)" for "CAPAC / HVW")."""
    for code, label in entities.items():
        if not isinstance(label, dict):
            continue
        short = re.search(r"\(([^)]+)\)$", label["fr"])
        if slug(label["fr"]) == slug(publisher) or short and short.group(1) in publisher.split():
            return code
    return None


def best_precedent(fig: dict) -> str:
    return f"{fig['observation_id']} {fig['indicator']} «{fig['quote']}»"


def draft_indicator(context: Context, line_text: str, token) -> dict | None:
    """A draft catalogue entry for a number no precedent reads: its code from the row label
    or the words after the number, prefixed `draft_` so that it cannot pass for a real code."""
    words = context.table.get("label") or line_text[token.end:]
    content = [w for w in re.findall(r"[a-zà-ÿ]+", words.lower()) if w not in STOPWORDS
               and len(w) > 2][:3]
    if not content:
        return None
    code = "draft_" + "_".join(slug(w).replace("-", "_") for w in content)
    return {"code": code, "label": {"fr": " ".join(content)},
            "unit": "percent" if token.percent else "count"}
