"""The series as SDMX: a data flow of our own (structure in SDMX-ML 3.0, data in SDMX-CSV 2.0),
written and read with pysdmx. Every series point is one observation; its key is indicator,
geography, organisation, measure, unit, the breakdown dimensions and TIME_PERIOD."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from sources.register import read_plain_yaml

SETTINGS = Path(__file__).resolve().parent / "sdmx.yaml"
VOCABULARY = Path(__file__).resolve().parent.parent / "sources" / "vocabulary.yaml"
ESSPROS = Path(__file__).resolve().parent.parent / "sources" / "esspros.yaml"
ID = re.compile(r"^[A-Za-z0-9_@$-]+$")
TOTAL, NOT_APPLICABLE = "_T", "_Z"
FIXED = ["INDICATOR", "GEO", "ENTITY", "MEASURE", "UNIT_MEASURE"]
ATTRIBUTES = ["OBS_STATUS", "UNIT_MULT", "OBS_KIND", "OBS_QUALIFIER", "ESSPROS_FUNCTION",
              "ESSPROS_ITEM", "SOURCE_REF"]


class SdmxError(ValueError):
    """A series value cannot be written as SDMX; the message names it."""


def settings() -> dict:
    """The data flow's settings, with the ESSPROS mapping of sources/esspros.yaml."""
    return {**read_plain_yaml(SETTINGS),
            **read_plain_yaml(ESSPROS)}


def code_id(value: str, where: str) -> str:
    """An SDMX code id for a value of ours ('1.1' -> '1_1'); the value itself becomes the name."""
    made = re.sub(r"[^A-Za-z0-9_@$-]", "_", str(value))
    if not made or not ID.match(made):
        raise SdmxError(f"{where}: {value!r} cannot be an SDMX code")
    return made


def time_period(period: str) -> str:
    """Our period as an SDMX time period: 2024, 2024-12, 2024-Q1, 2024-S1 and dates unchanged;
    a range 2021/2024 as its start and duration (2021-01-01/P4Y), 2011-01/2011-08 as
    2011-01-01/P8M."""
    if "/" not in period:
        return period
    start, end = period.split("/")
    if re.fullmatch(r"\d{4}", start) and re.fullmatch(r"\d{4}", end):
        return f"{start}-01-01/P{int(end) - int(start) + 1}Y"
    if re.fullmatch(r"\d{4}-\d\d", start) and re.fullmatch(r"\d{4}-\d\d", end):
        months = (int(end[:4]) - int(start[:4])) * 12 + int(end[5:]) - int(start[5:]) + 1
        return f"{start}-01/P{months}M"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", start) and re.fullmatch(r"\d{4}-\d\d-\d\d", end):
        days = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
        return f"{start}/P{days}D"
    raise SdmxError(f"period {period!r} has no SDMX time period")


def unit_multiplier(value: float, number_text: str | None) -> int:
    """The power of ten the document counted in: 9 for '2,78' read as 2 780 000 000, else 0."""
    from sources.numbers import parse_digits

    if not number_text or not value or not re.fullmatch(r"[\d.,\s\u00a0\u202f]+", number_text):
        return 0
    try:
        written = parse_digits(number_text.strip())
    except ValueError:
        return 0
    if not written:
        return 0
    power = round(math.log10(abs(value / written)))
    return power if power in (3, 6, 9) and math.isclose(value, written * 10 ** power) else 0


def breakdown_pairs(breakdown: str) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in breakdown.split(";")) if breakdown else {}


def observations_frame(series: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """One SDMX observation per series point, every dimension filled: `_T` where the indicator
    is broken down by a dimension elsewhere and this point is its total, `_Z` where the
    dimension does not apply to the indicator."""
    conf = settings()
    numbers = observations.set_index("observation_id")["number_text"].to_dict()
    pairs = [breakdown_pairs(b) for b in series["breakdown"]]
    dims_of = {}
    for indicator, kv in zip(series["indicator"], pairs):
        dims_of.setdefault(indicator, set()).update(kv)
    dimensions = sorted({d for used in dims_of.values() for d in used})
    rows = []
    for point, kv in zip(series.itertuples(index=False), pairs):
        where = f"series {point.indicator} {point.geo} {point.breakdown} {point.period}"
        mult = unit_multiplier(point.value, numbers.get(point.observation_id))
        mapping = conf["esspros"].get(point.indicator) or {}
        item = (mapping.get("item_by_observation") or {}).get(point.observation_id,
                                                                mapping.get("item"))
        row = {"INDICATOR": point.indicator, "GEO": code_id(point.geo, where),
               "ENTITY": code_id(point.entity, where) if point.entity else NOT_APPLICABLE,
               "MEASURE": point.measure, "UNIT_MEASURE": point.unit}
        for dim in dimensions:
            if dim in kv:
                row[dim.upper()] = code_id(kv[dim], where)
            else:
                row[dim.upper()] = TOTAL if dim in dims_of[point.indicator] else NOT_APPLICABLE
        row.update({"TIME_PERIOD": time_period(point.period),
                    "OBS_VALUE": point.value / 10 ** mult,
                    "OBS_STATUS": point.obs_status or "", "UNIT_MULT": str(mult),
                    "OBS_KIND": point.kind, "OBS_QUALIFIER": point.qualifier,
                    "ESSPROS_FUNCTION": mapping.get("function", ""), "ESSPROS_ITEM": item or "",
                    "SOURCE_REF": point.observation_id or point.formula or ""})
        rows.append(row)
    return pd.DataFrame(rows)


def structures(frame: pd.DataFrame, series: pd.DataFrame, indicators: pd.DataFrame,
               places: pd.DataFrame | None = None):
    """Code lists, concept scheme, data structure and data flow for `frame`."""
    from pysdmx.model import (Code, Codelist, Component, Components, Concept, ConceptScheme,
                              Dataflow, DataStructureDefinition, DataType, Role)

    conf, vocab = settings(), read_plain_yaml(VOCABULARY)
    agency, version = conf["agency"], conf["version"]
    labels = indicators.set_index("indicator")["label_en"].to_dict()
    place_names = {} if places is None else dict(zip(places["code"], places["name_fr"]))
    geo_names = {code_id(g, "geo"): " + ".join(
        vocab["geos"].get(p, {}).get("en") or place_names.get(p, p) for p in g.split("+"))
        for g in series["geo"].unique()}
    original = {}  # code id -> our value, per dimension, for the code names
    for point in series.itertuples(index=False):
        for dim, value in breakdown_pairs(point.breakdown).items():
            original.setdefault(dim.upper(), {})[code_id(value, dim)] = value
    names = {
        "INDICATOR": lambda c: labels.get(c, c),
        "GEO": lambda c: geo_names.get(c, c),
        "ENTITY": lambda c: vocab["entities"].get(c, {}).get("en", c),
        "MEASURE": lambda c: c, "UNIT_MEASURE": lambda c: vocab["units"].get(c, {}).get("en", c),
        "OBS_STATUS": lambda c: vocab["obs_statuses"][c], "OBS_KIND": lambda c: vocab["kinds"][c],
        "OBS_QUALIFIER": lambda c: vocab["qualifiers"][c],
        "UNIT_MULT": lambda c: conf["unit_multipliers"].get(int(c), "units"),
        "ESSPROS_FUNCTION": lambda c: conf["esspros_functions"][c],
        "ESSPROS_ITEM": lambda c: conf["esspros_items"][c]}
    special = {TOTAL: "Total", NOT_APPLICABLE: "Not applicable"}
    title = {"INDICATOR": "Indicator", "GEO": "Geography", "ENTITY": "Organisation",
             "MEASURE": "Measure (level, target, threshold)", "UNIT_MEASURE": "Unit of measure",
             "TIME_PERIOD": "Time period", "OBS_VALUE": "Observation value",
             "OBS_STATUS": "Observation status (Eurostat codes)",
             "UNIT_MULT": "Unit multiplier (power of ten)", "OBS_KIND": "Kind of figure",
             "OBS_QUALIFIER": "Qualifier (exact, approximate, bound)",
             "ESSPROS_FUNCTION": "ESSPROS function", "ESSPROS_ITEM": "ESSPROS expenditure item",
             "SOURCE_REF": "Source: observation id (document:line:column) or derivation"}
    scheme_urn = f"urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={agency}:CS_SERIES({version})"
    codelists, concepts, components = [], [], []

    def add(cid: str, role, coded: bool, dtype=None, required=True):
        codes = None
        if coded:
            values = sorted(v for v in frame[cid].unique() if v != "")
            name_of = names.get(cid, lambda c: original.get(cid, {}).get(c, c))
            codes = Codelist(id=f"CL_{cid}", agency=agency, version=version,
                             name=title.get(cid, f"Breakdown: {cid.lower()}"),
                             items=[Code(id=v, name=str(special.get(v) or name_of(v)))
                                    for v in values])
            codelists.append(codes)
        concept = Concept(id=cid, urn=f"{scheme_urn}.{cid}",
                          name=title.get(cid, f"Breakdown: {cid.lower()}"), codes=codes,
                          dtype=dtype)
        concepts.append(concept)
        extra = {"attachment_level": "O"} if role == Role.ATTRIBUTE else {}
        components.append(Component(id=cid, required=required, role=role, concept=concept,
                                    local_codes=codes, local_dtype=dtype, **extra))

    breakdown_dims = [c for c in frame.columns if c not in FIXED + ["TIME_PERIOD", "OBS_VALUE"]
                      + ATTRIBUTES]
    for cid in FIXED + breakdown_dims:
        add(cid, Role.DIMENSION, coded=True)
    add("TIME_PERIOD", Role.DIMENSION, coded=False, dtype=DataType.PERIOD)  # Observational
    add("OBS_VALUE", Role.MEASURE, coded=False, dtype=DataType.DOUBLE)
    for cid in ATTRIBUTES:
        add(cid, Role.ATTRIBUTE, coded=cid != "SOURCE_REF",
            dtype=DataType.STRING if cid == "SOURCE_REF" else None,
            required=cid in ("UNIT_MULT", "OBS_KIND", "OBS_QUALIFIER"))
    scheme = ConceptScheme(id="CS_SERIES", agency=agency, version=version,
                           name="Concepts of the series", items=concepts)
    parts = Components(components)
    dsd = DataStructureDefinition(id=conf["structure"]["id"], agency=agency, version=version,
                                  name=conf["structure"]["name"], components=parts)
    flow = Dataflow(id=conf["dataflow"]["id"], agency=agency, version=version,
                    name=conf["dataflow"]["name"], structure=dsd.short_urn)
    return [*codelists, scheme, dsd, flow], parts, flow


def write_sdmx_files(folder: Path, series: pd.DataFrame, observations: pd.DataFrame,
                     indicators: pd.DataFrame, places: pd.DataFrame | None = None
                     ) -> dict[str, Path]:
    """structure.xml (SDMX-ML 3.0) and series.csv (SDMX-CSV 2.0) in `folder`, each written
    aside and renamed into place."""
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.io.pd import PandasDataset
    from pysdmx.model import Schema

    from publication.files import atomic_path

    frame = observations_frame(series, observations)
    artefacts, components, flow = structures(frame, series, indicators, places)
    schema = Schema(context="dataflow", agency=flow.agency, id=flow.id, version=flow.version,
                    components=components)
    made = {"structure": folder / "structure.xml", "data": folder / "series.csv"}
    with atomic_path(made["structure"]) as tmp:
        write_sdmx(artefacts, Format.STRUCTURE_SDMX_ML_3_0, output_path=str(tmp))
    with atomic_path(made["data"]) as tmp:
        write_sdmx([PandasDataset(structure=schema, data=frame)], Format.DATA_SDMX_CSV_2_0_0,
                   output_path=str(tmp))
    return made
