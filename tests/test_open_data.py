"""Open exchange: the data package, the SDMX files and the official cross-check of a release."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from publication import datapackage, sdmx
from sources.official import load_reference
from sources.register import Catalogues, RegisterError
from transforms.crosscheck import crosscheck_table

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def release(materialized) -> Path:
    outputs, result = materialized
    assert result.success
    return (outputs / "current").resolve()


@pytest.fixture(scope="module")
def tables(release):
    con = duckdb.connect(str(release / "warehouse.duckdb"), read_only=True)
    names = ["series", "observations", "documents", "data_dictionary", "official_crosscheck",
             "official_values", "indicators"]
    yield {name: con.execute(f'SELECT * FROM "{name}"').df() for name in names}
    con.close()


def test_frictionless_validate_accepts_the_release(release):
    """The command-line tool an open-data portal runs, on the release as published."""
    done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate",
                           "--json", str(release / "datapackage.json")],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["valid"], done.stdout[-3000:]
    assert len(report["tasks"]) == len(json.loads(
        (release / "datapackage.json").read_text())["resources"])
    assert datapackage.validate(release / "datapackage.json", resources=[]) == []  # hashes


def test_every_published_table_is_a_resource_with_its_dictionary_schema(release, tables):
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == datapackage.PROFILE and package["licenses"]
    by_name = {r["name"]: r for r in package["resources"]}
    dictionary = tables["data_dictionary"]
    for table, columns in dictionary.groupby("table", sort=False):
        resource = by_name[table]
        assert resource["format"] == "parquet" and (release / resource["path"]).is_file()
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == list(columns["column"])
        assert [f["description"] for f in fields] == list(columns["meaning"])
        assert resource["schema"]["primaryKey"], table
    assert {"observations_csv", "series_csv", "official_crosscheck_csv"} <= set(by_name)
    keys = by_name["observations"]["schema"]["foreignKeys"]
    assert {"fields": ["document_id"], "reference": {"resource": "documents",
                                                     "fields": ["document_id"]}} in keys
    sources = {s["sha256"] for s in package["sources"]}
    assert sources == set(tables["documents"]["sha256"])


def _corrupted_copy(release: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "release"
    shutil.copytree(release, copy, ignore=shutil.ignore_patterns("charts", "quality"))
    return copy / "datapackage.json"


def test_a_corrupted_csv_fails_validation(release, tmp_path):
    package = _corrupted_copy(release, tmp_path)
    target = package.parent / "csv" / "observations.csv"
    lines = target.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[1]                                    # a duplicated observation id
    lines[3] = lines[3].replace(",", ",not a number,", 1)  # a shifted row
    target.write_text("\n".join(lines), encoding="utf-8")
    errors = datapackage.validate(package, resources=["observations_csv"])
    kinds = {e.split(": ")[1].split(" ")[0] for e in errors}
    assert {"primary-key", "hash-count"} <= kinds, errors
    assert any(e.startswith("csv/observations.csv: hash-count") for e in errors)


def test_a_corrupted_parquet_file_fails_validation(release, tmp_path):
    package = _corrupted_copy(release, tmp_path)
    target = package.parent / "parquet" / "series.parquet"
    target.write_bytes(target.read_bytes()[:-200])
    errors = datapackage.validate(package, resources=["series"])
    assert errors and any("parquet/series.parquet: hash-count" in e for e in errors), errors
    assert len(errors) >= 2, errors  # frictionless cannot read it either


def test_sdmx_files_read_back_with_every_series_point_and_status(release, tables):
    """pysdmx validates the structure against the SDMX-ML 3.0 schemas and reads the data with
    it; every series point is there once, with its value (times UNIT_MULT) and status."""
    from pysdmx.io import get_datasets

    datasets = get_datasets(str(release / "sdmx" / "series.csv"),
                            str(release / "sdmx" / "structure.xml"))
    assert len(datasets) == 1
    data = datasets[0].data
    structure = datasets[0].structure
    series = tables["series"]
    assert len(data) == len(series)
    dims = [c.id for c in structure.components.dimensions]
    assert dims[:5] == sdmx.FIXED and dims[-1] == "TIME_PERIOD"
    assert not data.duplicated(dims).any()
    breakdown_dims = dims[5:-1]
    read = {}
    for row in data.to_dict("records"):
        broken = frozenset((d.lower(), row[d]) for d in breakdown_dims
                           if row[d] not in (sdmx.TOTAL, sdmx.NOT_APPLICABLE))
        key = (*(row[d] for d in sdmx.FIXED), row["TIME_PERIOD"], broken)
        assert key not in read, key
        read[key] = row
    for point in series.itertuples():
        broken = frozenset((d, sdmx.code_id(v, d))
                           for d, v in sdmx.breakdown_pairs(point.breakdown).items())
        key = (point.indicator, sdmx.code_id(point.geo, "geo"),
               point.entity or sdmx.NOT_APPLICABLE, point.measure,
               point.unit, sdmx.time_period(point.period), broken)
        row = read.pop(key)  # every series point once
        assert float(row["OBS_VALUE"]) * 10 ** int(row["UNIT_MULT"]) == pytest.approx(
            point.value, rel=1e-12), key
        assert (row["OBS_STATUS"] or "") == (point.obs_status or ""), key
        assert row["OBS_QUALIFIER"] == point.qualifier and row["OBS_KIND"] == point.kind
        assert row["SOURCE_REF"] == (point.observation_id or point.formula)
    assert not read
    codes = {c.id: {code.id for code in c.local_codes} for c in structure.components
             if c.local_codes is not None}
    for column, allowed in codes.items():
        used = {v for v in data[column].dropna().astype(str) if v}
        assert used <= allowed, (column, used - allowed)
    statuses = set(data["OBS_STATUS"].dropna()) - {""}
    assert statuses and statuses <= {"e", "p", "f", "b", "u", "d"}


def test_sespros_figures_carry_their_esspros_function(release, tables):
    from pysdmx.io import get_datasets

    data = get_datasets(str(release / "sdmx" / "series.csv"),
                        str(release / "sdmx" / "structure.xml"))[0].data
    sespros = data[data["INDICATOR"] == "social_protection_expenditure_gdp_share"]
    assert len(sespros) == 5 and set(sespros["ESSPROS_FUNCTION"]) == {"TOTAL"}
    # "la part estimée des prestations sociales dans le PIB": benefits, not total expenditure
    assert sespros.set_index("TIME_PERIOD")["ESSPROS_ITEM"].to_dict()["2023"] == "BENEFITS"
    billions = data[(data["INDICATOR"] == "social_protection_expenditure")
                    & (data["UNIT_MEASURE"] == "eur") & (data["TIME_PERIOD"] == "2022")]
    assert billions[["OBS_VALUE", "UNIT_MULT"]].astype(str).values.tolist() == [["153.2", "9"]]


@pytest.mark.parametrize("ours, sdmx_period", [
    ("2024", "2024"), ("2024-12", "2024-12"), ("2025-03-27", "2025-03-27"),
    ("2021/2024", "2021-01-01/P4Y"), ("2011-01/2011-08", "2011-01-01/P8M"),
    ("2012-12/2013-06", "2012-12-01/P7M")])
def test_periods_become_sdmx_time_periods(ours, sdmx_period):
    assert sdmx.time_period(ours) == sdmx_period


def test_unit_multiplier_is_the_power_the_document_counted_in():
    assert sdmx.unit_multiplier(2_780_000_000, "2,78") == 9
    assert sdmx.unit_multiplier(1_647_269_000, "1.647.269") == 3
    assert sdmx.unit_multiplier(54_795_587.0, "54.795.587,00") == 0
    assert sdmx.unit_multiplier(19722.0, "courant de 2023") == 0
    with pytest.raises(sdmx.SdmxError, match="series x"):
        sdmx.code_id("", "series x")
    assert sdmx.code_id("1.1", "objective") == "1_1"


def test_crosscheck_lists_every_poverty_rate_of_the_documents(tables):
    compared, observations = tables["official_crosscheck"], tables["observations"]
    covered = set(tables["official_values"]["indicator"])
    expected = observations[observations["indicator"].isin(covered)]
    assert sorted(compared["observation_id"]) == sorted(expected["observation_id"])
    assert set(compared["verdict"]) <= {"agrees", "differs", "year not stated",
                                        "no official value"}
    not_stated = compared[compared["period_basis"] == "not_stated"]
    assert (not_stated["verdict"] == "year not stated").all() and len(not_stated)
    agrees = compared[compared["verdict"] == "agrees"]
    assert ((agrees["value"] - agrees["official_value"]).abs() <= agrees["tolerance"] + 1e-9).all()
    # EU-SILC 2019, strategic plan 2021-2024: "le taux de pauvreté monétaire s'élève
    # aujourd'hui à 14,8%" agrees with the official 14.8 of SILC 2019
    row = compared.set_index("observation_id").loc["004:422:349"]
    assert (row["verdict"], row["official_value"], row["official_year"]) == ("agrees", 14.8,
                                                                             "2019")
    assert row["source_url"].startswith("http") and row["read_on"] == "2026-12-01"


def test_every_reference_value_has_its_page_and_reading_date(tables):
    ref = tables["official_values"]
    assert len(ref) > 100 and ref["source_url"].str.match(r"https?://").all()
    assert (ref["read_on"] != "").all() and (ref["words"] != "").all()
    assert set(ref["source_kind"]) == {"official", "press"}


def _reference_args():
    cat = Catalogues(PROJECT / "sources")
    return cat.indicators, cat.vocabulary["units"], cat.vocabulary["geos"]


def test_a_modified_reference_file_is_refused(sources_copy):
    path = sources_copy / "reference" / "official_values.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",14.8,", ",14.9,", 1),
                    encoding="utf-8")
    with pytest.raises(RegisterError, match="official_values.csv.*has been modified"):
        load_reference(sources_copy, *_reference_args())


def test_a_bad_reference_row_names_its_file_and_line(sources_copy):
    import hashlib

    path = sources_copy / "reference" / "official_values.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].replace("https://", "www.", 1).replace("http://", "www.", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    catalogue = sources_copy / "references.yaml"
    old = catalogue.read_text(encoding="utf-8")
    new_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    catalogue.write_text(old.replace(old.split("sha256: ")[1].split()[0], new_hash),
                         encoding="utf-8")
    with pytest.raises(RegisterError, match=r"official_values.csv line 6: source_url"):
        load_reference(sources_copy, *_reference_args())


def test_verdicts_on_a_small_example():
    """Same year and definition: within the rounding of both agrees; beyond it differs; no
    survey year: no verdict, the agreeing years listed."""
    documents = pd.DataFrame({"document_id": ["A"], "published": ["2014"]})
    obs = pd.DataFrame([
        {"observation_id": f"A:{i}:1", "indicator": "at_risk_of_poverty_rate", "geo": "BE",
         "breakdown": "", "unit": "percent", "period": period, "period_basis": basis,
         "value": value, "half_unit": 0.05, "quote": "q", "document_id": "A", "line": i}
        for i, (period, basis, value) in enumerate(
            [("2012", "stated", 15.3), ("2013", "stated", 14.8), ("2013", "not_stated", 15.3),
             ("2014", "stated", 15.5)], start=1)])
    ref = pd.DataFrame([
        {"indicator": "at_risk_of_poverty_rate", "geo": "BE", "breakdown": "", "unit": "percent",
         "survey_year": year, "income_year": "", "definition": "AROP", "value": value,
         "half_unit": 0.05, "source_url": "https://x", "source_publisher": "P",
         "source_kind": "official", "read_on": "2026-12-01", "reference_line": n}
        for n, (year, value) in enumerate([("2012", 15.3), ("2013", 15.1), ("2011", 15.3)])])
    got = crosscheck_table(obs, documents, ref).set_index("observation_id")
    assert got.loc["A:1:1", "verdict"] == "agrees"
    assert got.loc["A:2:1", "verdict"] == "differs"
    assert got.loc["A:2:1", "difference"] == pytest.approx(-0.3)
    assert got.loc["A:3:1", "verdict"] == "year not stated"
    assert got.loc["A:3:1", "matching_years"] == "2011, 2012"
    assert got.loc["A:4:1", "verdict"] == "no official value"
