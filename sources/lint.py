"""Register lint: readings that the words around a figure put in doubt.

Each rule looks at a registered figure and the sentence of its document that holds the quote, and
says what looks wrong (a period the sentence does not give, a country with geo BE, "ouvrables" in
calendar days, "devrait" on an observed figure, ...). A reading that is right all the same says why in
the entry (`lint: {rule: reason}`): the finding stays listed, as accepted, with that reason.
The rules and their one-line descriptions are in `sources/vocabulary.yaml` (`lint_rules`).

    python -m sources.lint [document ...]     # also run by `make check`
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict

YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÀ-Ý«\"“(]|\s*$)")
COUNTRIES = ("Allemagne|Autriche|Bulgarie|Chypre|Croatie|Danemark|Espagne|Estonie|Finlande|France|"
             "Grèce|Hongrie|Irlande|Italie|Lettonie|Lituanie|Malte|Pays-Bas|Pologne|Portugal|"
             "Roumanie|Slovaquie|Slovénie|Suède|Tchéquie|République tchèque|Royaume-Uni|Norvège|"
             "Suisse|États-Unis|Islande")
FOREIGN = re.compile(rf"\b({COUNTRIES}|UE|EU(?!-SILC)|Union européenne|européen\w*|Europe|"
                     rf"États membres|pays membres)\b")
# programmes and bodies named "européen" are about Belgium's share of them, not about Europe
EU_PROGRAMME = re.compile(r"\b(Fonds|Programme|Semestre|Socle|Pilier|Commission|Parlement|Conseil|"
                          r"Comité)\s+(social\s+|économique\s+et\s+social\s+)?européen\w*"
                          r"|\bFEAD\b|\bFSE\b", re.IGNORECASE)
# "estimé(e)s", "estimation", not "ils s'estiment satisfaits" (a survey answer)
ESTIMATE_WORDS = re.compile(r"\b(devrai\w*|prévu\w*|prévoi\w*|prévisi\w*|estimée?s?|estimations?|"
                            r"provisoire\w*|premiers chiffres|projeté\w*|projections?)\b",
                            re.IGNORECASE)
NORM_WORDS = re.compile(r"(\bnorme\w*|\bdélai légal|\bdélais légaux|\bexigence légale|"
                        r"\bl[’']objectif|\bobjectif (de|est|fixé)|\bnous visons|\bvaleur cible|"
                        r"\bau moins .{0,40}par an)", re.IGNORECASE)
BOUND_BEFORE = re.compile(r"(plus de|au moins|supérieure?s? à|minimum|moins de|inférieure?s? à|"
                          r"maximum|jusqu[’']à|au plus|au-delà de|pas moins de|dépasser)\s*$",
                          re.IGNORECASE)
APPROX_BEFORE = re.compile(r"(environ|près de|quelque|quelques|approximativement|presque|"
                           r"autour de|de l[’']ordre de|plus ou moins)\s*$", re.IGNORECASE)
CHANGE_BEFORE = re.compile(r"(augment\w*|hausse|baisse|diminu\w*|réduction|recul\w*|progress\w*|"
                           r"croissance|réduit\w*|accru\w*)\s+(de\s+|d[’'])?(l[’']ordre de\s+|"
                           r"plus de\s+|près de\s+|environ\s+)?$", re.IGNORECASE)
OWN_ORGANISATION = re.compile(r"\b(notre SPF|notre SPP|nos collaborateurs|notre personnel|"
                              r"membres du personnel|notre organisation|notre administration|"
                              r"nos services|nos équipes|collaborateurs du SPF|du personnel du SPP|"
                              r"la CAPAC|le SPF Sécurité sociale|le SPP Intégration sociale)\b",
                              re.IGNORECASE)
CALENDAR_UNITS = ("days",)


def sentence_of(lines: list[str], line: int, start: int, end: int) -> str:
    """The sentence holding text[start:end] of `line` (1-based): a table row (tab-separated) is
    its own sentence; a sentence broken across lines (PDF extractions, where a blank line may
    sit between two halves) is joined back, up to ten lines each way."""
    text = lines[line - 1]
    if "\t" in text:
        return text
    left = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    right = next((m.end() for m in SENTENCE_END.finditer(text, end)), len(text))
    before, after = text[left:start], text[start:right]
    if left == 0:
        for prev in _neighbours(lines, line, -1):
            if SENTENCE_END.search(prev.rstrip()[-1:]):
                break
            cut = max((m.end() for m in SENTENCE_END.finditer(prev)), default=0)
            before = prev[cut:] + " " + before
            if cut:
                break
    if right == len(text) and not SENTENCE_END.search(text.rstrip()[-1:] or "."):
        for nxt in _neighbours(lines, line, +1):
            stop = next((m.end() for m in SENTENCE_END.finditer(nxt)), None)
            after = after + " " + nxt[:stop]
            if stop is not None:
                break
    return " ".join((before + after).split())


def _neighbours(lines: list[str], line: int, step: int, most: int = 10):
    """Up to `most` text lines before (step -1) or after (+1) `line`, skipping single blank
    lines, stopping at a table row or a paragraph break (two blank lines)."""
    n, blanks, found = line - 1 + step, 0, 0
    while 0 <= n < len(lines) and found < most:
        if not lines[n].strip():
            blanks += 1
            if blanks > 1:
                return
        elif "\t" in lines[n]:
            return
        else:
            blanks = 0
            found += 1
            yield lines[n]
        n += step


def period_years(period: str) -> set[str]:
    return set(YEAR.findall(period))


def lint_figures(figures: list[dict], lines_of) -> list[dict]:
    """Every finding of every rule on `figures` (loader dicts); `lines_of(doc_id)` gives the
    document's lines. Each finding: rule, observation_id, document_id, line, quote, message,
    accepted (the entry's reason, or empty)."""
    found = []

    def add(fig, rule, message):
        found.append({"rule": rule, "observation_id": fig["observation_id"],
                      "document_id": fig["document_id"], "line": fig["line"], "quote": fig["quote"],
                      "message": message, "accepted": fig.get("lint", {}).get(rule, "")})

    for fig in figures:
        lines = lines_of(fig["document_id"])
        text = lines[fig["line"] - 1]
        start, end = fig["_span"]
        sentence = sentence_of(lines, fig["line"], start, end)
        before = text[max(0, start - 30):start]
        after = text[end:end + 30]
        years = period_years(fig["period"])
        in_sentence = set(YEAR.findall(sentence))
        basis = fig["period_basis"]
        if not basis:
            add(fig, "period_basis_missing",
                "no period_basis; the quote's sentence gives "
                + (f"the year(s) {', '.join(sorted(in_sentence))}" if in_sentence else "no year"))
        elif basis == "stated" and years and not years & in_sentence:
            add(fig, "stated_period_not_in_sentence",
                f"period {fig['period']} is said to be stated, but the sentence gives "
                + (", ".join(sorted(in_sentence)) or "no year"))
        elif basis == "inferred" and years and fig.get("period_line"):
            # the year may come from the figure's own sentence or table row, the rest from a note
            source = lines[fig["period_line"] - 1] + " " + sentence
            if not years & set(YEAR.findall(source)):
                add(fig, "inferred_period_not_on_line",
                    f"period {fig['period']} is said to be read from line {fig['period_line']}; "
                    f"neither it nor the figure's line gives such a year")
        geos = fig["geo"].split("+")
        foreign = [m.group(0) for m in FOREIGN.finditer(EU_PROGRAMME.sub(" ", sentence))]
        if geos == ["BE"] and foreign:
            add(fig, "foreign_geo_as_be",
                f"geo BE, but the sentence speaks of {', '.join(dict.fromkeys(foreign))}")
        if fig["unit"] in CALENDAR_UNITS and re.search(r"ouvrables?", fig["quote"] + after):
            add(fig, "working_days_as_days", f"'ouvrables' after the number, unit {fig['unit']}")
        words = ESTIMATE_WORDS.findall(sentence)
        if fig["kind"] == "observed" and not fig["obs_status"] and words:
            add(fig, "estimate_as_observed",
                f"kind observed with no status, but the sentence says {', '.join(dict.fromkeys(words))}")
        if fig["qualifier"] == "exact" and BOUND_BEFORE.search(before):
            add(fig, "bound_as_exact",
                f"qualifier exact after '{BOUND_BEFORE.search(before).group(1)}'")
        if fig["qualifier"] == "exact" and APPROX_BEFORE.search(before):
            add(fig, "approx_as_exact",
                f"qualifier exact after '{APPROX_BEFORE.search(before).group(1)}'")
        if fig["unit"] == "percent" and CHANGE_BEFORE.search(before):
            add(fig, "change_as_level",
                f"a percentage after '{CHANGE_BEFORE.search(before).group(1)}' stored as a level")
        norm = NORM_WORDS.search(sentence)
        if fig["kind"] == "observed" and norm:
            add(fig, "norm_as_observed", f"kind observed, but the sentence says '{norm.group(1)}'")
        own = OWN_ORGANISATION.search(sentence)
        if not fig["entity"] and own:
            add(fig, "organisation_without_entity",
                f"no entity, but the sentence speaks of '{own.group(1)}'")
    found += _repeats(figures)
    return found


def _repeats(figures: list[dict]) -> list[dict]:
    """Figures of one document with the same meaning and value that do not point at each other."""
    parent = {f["observation_id"]: f["observation_id"] for f in figures}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for f in figures:
        if f["repeats"] in parent:
            parent[root(f["observation_id"])] = root(f["repeats"])
    groups = defaultdict(list)
    for f in figures:
        key = (f["document_id"], f["indicator"], f["period"], f["geo"], f["entity"],
               f["breakdown"], f["unit"], f["kind"], f["qualifier"], round(f["value"], 9))
        groups[key].append(f)
    found = []
    for group in groups.values():
        if len({root(f["observation_id"]) for f in group}) < 2:
            continue
        others = lambda f: ", ".join(g["observation_id"] for g in group if g is not f)  # noqa: E731
        for f in group:
            if not f["repeats"]:
                found.append({"rule": "repeat_without_note", "observation_id": f["observation_id"],
                              "document_id": f["document_id"], "line": f["line"],
                              "quote": f["quote"],
                              "message": f"the same figure is registered as {others(f)}, and neither "
                                         f"says it repeats the other (repeats)",
                              "accepted": f.get("lint", {}).get("repeat_without_note", "")})
    return found


def main(argv: list[str] | None = None) -> int:
    from sources.register import RegisterError, load_all

    docs = set(argv if argv is not None else sys.argv[1:]) or None
    try:
        register = load_all(documents=docs)
    except RegisterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    findings = lint_figures(register.figures, register.catalogues.document_lines)
    open_ = [f for f in findings if not f["accepted"]]
    for f in sorted(open_, key=lambda f: (f["document_id"], f["line"], f["rule"])):
        print(f"{f['observation_id']}: {f['rule']}: {f['message']}  «{f['quote']}»")
    print(f"lint: {len(open_)} finding(s) to look at, {len(findings) - len(open_)} accepted "
          f"with a reason")
    return 0


if __name__ == "__main__":
    sys.exit(main())
