"""Places as data: codes from the reference list, roll-ups of municipal figures, regional counts
implied by a list of places, the regional table below Belgium, and refused place input."""
from __future__ import annotations

from pathlib import Path

import pytest

from sources.places import Places, PlaceError, load_place_lists
from sources.register import Catalogues, RegisterError, load_all
from test_register import break_register

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cat():
    return Catalogues(PROJECT / "sources")


def test_places_table_has_every_level_with_parents_up_to_belgium(cat):
    table = cat.places.table.set_index("code")
    counts = table["level"].value_counts().to_dict()
    assert counts["municipality"] == 565 and counts["region"] == 3 and counts["province"] == 11
    towns = table[table["level"] == "municipality"]
    for code, town in towns.iterrows():
        province = table.loc[town["parent"]]
        assert province["level"] == "province" and province["region"] == town["region"], code
        assert table.loc[province["parent"], "parent"] == "BE" or province["parent"] == "BE1"
        assert town["name_fr"] and town["name_nl"], code
    assert table.loc["11002", ["name_fr", "name_nl", "province", "region"]].tolist() == [
        "Anvers", "Antwerpen", "BE21", "BE2"]
    assert table.loc["21004", "province"] == "BE10" and table.loc["BE10", "parent"] == "BE1"
    assert table.loc["BE2", "name_de"] == "Flämische Region"  # German where the list has one
    assert table.loc["BE-DG", "level"] == "community"


def test_names_as_the_documents_write_them_are_read_to_their_codes(cat):
    places = cat.places
    assert places.resolve_name("molenbeek_saint_jean") == "21012"
    assert places.resolve_name("Oudergem") == places.resolve_name("Auderghem") == "21002"
    # the document's spelling, read by sources/places.yaml
    assert places.resolve_name("Saint-Josse-Ten-Node") == "21014"
    assert places.resolve_name("ville_de_bruxelles") == "21004"
    # two municipalities are 'Saint-Nicolas' in French; the big-cities list means Sint-Niklaas
    assert places.resolve_name("saint_nicolas") == "46021"
    bare = Places(cat.vocabulary["geos"], settings_file=PROJECT / "no_such_file.yaml")
    assert bare.resolve_name("saint_nicolas") == "62093"  # why the reading must be written
    with pytest.raises(PlaceError, match="'Atlantis' is not a municipality"):
        places.resolve_name("Atlantis")


def test_a_code_of_a_municipality_formed_after_the_period_is_refused(cat):
    assert cat.places.resolve_code("73111", "2025") == "73111"
    with pytest.raises(PlaceError, match="formed on 2025-01-01.*write its name \\(Tongres\\)"):
        cat.places.resolve_code("73111", "2013")
    with pytest.raises(PlaceError, match="unknown geo '99999'"):
        cat.places.resolve_code("99999", "2013")


def first(**fields):
    return lambda data: data["figures"][0].update(fields)


@pytest.mark.parametrize("change, message", [
    (first(breakdown={"municipality": "atlantis"}), "'atlantis' is not a munic"),
    (first(places=["Anvers", "Atlantis"]), "'Atlantis' is not a municipality"),
    (first(geo="73111", period="2013", period_basis="stated"), "formed on 2025-01-01"),
    (first(geo="BE2", places=["Anvers"]), r"give the place once"),
    (first(places="Anvers"), "places must list place names"),
    (first(geo="__line__"), "unknown geo '__line__'"),
])
def test_bad_place_input_is_refused_naming_file_and_entry(sources_copy, change, message):
    break_register(sources_copy, change)
    with pytest.raises(RegisterError, match=message) as info:
        load_all(sources_copy)
    assert "003.yaml:3: figures entry 1" in str(info.value)


def test_a_listed_place_must_be_on_its_lines_and_in_its_region(sources_copy):
    path = sources_copy / "place_lists.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Vilvoorde, Anvers", "Vilvoorde, Namur"), encoding="utf-8")
    with pytest.raises(RegisterError, match="'Namur' is not on lines 2896-2907"):
        load_place_lists(sources_copy, Catalogues(sources_copy))
    path.write_text(text.replace("BE3: [Marche-en-Famenne", "BE1: [Marche-en-Famenne")
                    .replace("BE1: [Jette", "BE3: [Jette"), encoding="utf-8")
    with pytest.raises(RegisterError, match="'Marche-en-Famenne' \\(83034\\) is in BE3, not in BE1"):
        load_place_lists(sources_copy, Catalogues(sources_copy))


def test_every_figure_about_a_place_joins_to_places(warehouse):
    codes = {r[0] for r in warehouse.execute("SELECT code FROM places").fetchall()}
    geos = [r[0] for r in warehouse.execute("SELECT DISTINCT geo FROM observations").fetchall()]
    assert all(part in codes for geo in geos for part in geo.split("+")), geos
    levels = dict(warehouse.execute("""
        SELECT p.level, count(*) FROM observations o JOIN places p ON o.geo = p.code
        GROUP BY 1""").fetchall())
    assert levels["municipality"] == 18  # 17 city subsidies and Saint-Josse's income
    multi = warehouse.execute("SELECT geo FROM observations WHERE indicator = "
                              "'big_cities_population'").fetchall()
    assert {g for (g,) in multi} == {"BE1+11002+44021+52011+62063"}
    assert not warehouse.execute("SELECT count(*) FROM observations WHERE breakdown LIKE "
                                 "'%municipality=%'").fetchone()[0]


def test_the_17_city_subsidies_roll_up_to_three_regions_summing_to_the_stated_total(warehouse):
    rows = warehouse.execute("""
        SELECT geo, level, value, covers, n_places, stated_total, difference FROM place_rollups
        WHERE indicator = 'city_subsidies' AND level IN ('region', 'country')
        ORDER BY geo""").df().set_index("geo")
    assert list(rows.index) == ["BE", "BE1", "BE2", "BE3"]
    regions = rows.loc[["BE1", "BE2", "BE3"]]
    assert regions["value"].sum() == rows.loc["BE", "value"] == 53_081_994
    assert rows.loc["BE", "stated_total"] == 53_081_994 and rows.loc["BE", "difference"] == 0
    assert rows.loc["BE", "covers"].startswith("17 listed municipalities: ")
    assert regions["n_places"].tolist() == [7, 5, 5]
    assert "Flandre" not in rows.loc["BE2", "covers"]  # the places it covers, not the region
    assert rows.loc["BE2", "covers"] == ("5 listed municipalities: Anvers, Malines, Ostende, "
                                         "Gand, Sint-Niklaas")


def test_rates_and_averages_are_never_summed(warehouse):
    units = {r[0] for r in warehouse.execute("SELECT DISTINCT unit FROM place_rollups")
             .fetchall()}
    assert units <= {"count", "eur", "fte"}
    assert not warehouse.execute("SELECT count(*) FROM place_rollups WHERE indicator = "
                                 "'income_per_inhabitant'").fetchone()[0]


def test_the_mediator_list_gives_11_9_and_6_cities_as_derived_points(warehouse):
    rows = warehouse.execute("""
        SELECT geo, value, kind, formula, stated_total, difference FROM place_rollups
        WHERE indicator = 'cities_subsidised' ORDER BY geo""").df().set_index("geo")
    assert rows["value"].to_dict() == {"BE": 26, "BE1": 6, "BE2": 11, "BE3": 9}
    assert set(rows["kind"]) == {"derived"}
    assert rows.loc["BE2", "formula"].endswith("002:2896-2907")
    assert rows.loc["BE", "stated_total"] == 26 and rows.loc["BE", "difference"] == 0


def test_regional_covers_every_figure_below_belgium_with_shares_and_residue(warehouse):
    regional = warehouse.execute("SELECT * FROM regional").df()
    below = warehouse.execute("""
        SELECT s.indicator, s.geo FROM series s JOIN places p ON s.geo = p.code
        WHERE p.level IN ('region', 'community', 'province', 'municipality')
          AND s.measure = 'level' AND EXISTS (SELECT 1 FROM series t WHERE t.geo = 'BE'
          AND t.indicator = s.indicator AND t.breakdown = s.breakdown AND t.period = s.period
          AND t.entity = s.entity AND t.measure = 'level')""").df()
    shares = set(warehouse.execute("SELECT indicator FROM indicators WHERE share_of IS NOT NULL "
                                   "AND share_of <> ''").df()["indicator"])
    below = below[~below["indicator"].isin(shares)]
    assert set(map(tuple, below.values)) <= set(map(tuple, regional[["indicator", "geo"]].values))
    cities = regional[(regional["indicator"] == "city_subsidies")]
    assert (cities["level"] == "municipality").sum() == 17
    assert cities[cities["level"] == "municipality"]["share"].sum() == pytest.approx(100)
    rolled = cities[cities["count_kind"] == "rollup"]
    assert set(rolled["level"]) == {"province", "region"} and (rolled["residue"] == 0).all()
    assert (regional["residue_beyond_rounding"] == 0).all()
    stated = regional[regional["share_kind"] == "observed"]
    assert len(stated) and (stated["share_difference"].abs() <= 0.05 + 1e-9).all()
    assert regional.loc[regional["share_kind"] == "derived", "share_difference"].isna().all()
