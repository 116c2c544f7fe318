"""Derived statistics on the real registers: series across vintages, implied points, regions, changes."""
from __future__ import annotations

import pytest


def test_arr_ai_series_joins_two_documents_and_implied_points(warehouse):
    rows = warehouse.execute(
        "SELECT period, kind, value, document_id, formula, vintages FROM series "
        "WHERE indicator = 'arr_ai_beneficiaries' AND geo = 'BE' AND breakdown = '' "
        "AND measure = 'level' ORDER BY period").df().set_index("period")
    assert {"2022", "2023", "2024"} <= set(rows.index)
    assert set(rows.loc[["2022", "2023", "2024"], "kind"]) == {"observed"}
    assert set(rows.loc[["2022", "2023", "2024"], "document_id"]) == {"003", "000"}
    assert rows.loc["2024", "value"] == 253866 and rows.loc["2023", "value"] == 242454
    # +23 % since 2020 (doc 000) and +42,0 % since 2014 (doc 003) imply the base years
    for base, change in (("2020", 23), ("2014", 42.0)):
        assert rows.loc[base, "kind"] == "derived" and rows.loc[base, "formula"]
    assert rows.loc["2020", "value"] == pytest.approx(253866 / 1.23)
    assert rows.loc["2014", "value"] == pytest.approx(242454 / 1.42)
    # the 2023 level is also implied by 000's "+4,7 %": kept as a vintage, observed value wins
    assert rows.loc["2023", "vintages"] >= 2
    vintages = warehouse.execute(
        "SELECT kind, value FROM series_vintages WHERE indicator = 'arr_ai_beneficiaries' "
        "AND geo = 'BE' AND breakdown = '' AND period = '2023' ORDER BY rank").df()
    assert vintages["kind"].iloc[0] == "observed" and "derived" in set(vintages["kind"])


def test_regional_split_of_2024_sums_back_to_the_total_within_rounding(warehouse):
    regions = warehouse.execute(
        "SELECT * FROM regional WHERE indicator = 'arr_ai_beneficiaries' AND period = '2024' "
        "AND breakdown = ''").df()
    assert set(regions["geo"]) == {"BE1", "BE2", "BE3", "BE-DG"}
    assert set(regions["geo_name_nl"]) >= {"Vlaams Gewest", "Waals Gewest"}
    total = regions["total"].iloc[0]
    assert total == 253866
    assert (regions["count"] == regions["share"] / 100 * total).all()
    # four shares written to 0,1 % are each known to ±0,05 %
    assert abs(regions["residue"].iloc[0]) <= total * 4 * 0.0005
    assert regions["sum_of_counts"].iloc[0] + regions["residue"].iloc[0] == pytest.approx(total)


def test_series_of_percentages_change_in_points(warehouse):
    rows = warehouse.execute(
        "SELECT period, value, change, change_unit FROM changes WHERE indicator = "
        "'phone_accessibility' AND geo = 'BE' AND breakdown = '' ORDER BY period").df()
    last = rows.set_index("period").loc["2024"]
    assert last["change_unit"] == "percentage_points"
    assert last["change"] == pytest.approx(64 - 51)


def test_changes_give_growth_cagr_and_index(warehouse):
    rows = warehouse.execute(
        "SELECT period, value, change, cagr, index_first_year_100 FROM changes WHERE indicator = "
        "'social_protection_expenditure_gdp_share' AND geo = 'BE' AND breakdown = '' "
        "ORDER BY period").df()
    assert rows["index_first_year_100"].iloc[0] == 100
    counts = warehouse.execute(
        "SELECT period, value, change, cagr FROM changes WHERE indicator = 'cpas_clients' "
        "AND geo = 'BE' AND breakdown = '' AND period BETWEEN '2003' AND '2011' "
        "ORDER BY period").df()
    last = counts.iloc[-1]
    assert counts["change"].iloc[1] == pytest.approx((129967 / 128657 - 1) * 100)
    assert last["cagr"] == pytest.approx(((146426 / 128657) ** (1 / 8) - 1) * 100)


def test_derived_points_are_checked_against_stated_figures(warehouse):
    findings = warehouse.execute(
        "SELECT DISTINCT finding_id, message FROM quality_findings "
        "WHERE rule = 'derived_vs_stated'").df()
    # the 2007 employment-measure level repeats 2006 (11.673) while its growth says +1,1 %
    assert findings["message"].str.contains("cpas_employment_measure_beneficiaries 2006").any()
    assert not findings["message"].str.contains("arr_ai_beneficiaries").any()


def test_budget_total_with_swapped_digits_is_reported(warehouse):
    findings = warehouse.execute(
        "SELECT * FROM quality_findings WHERE rule = 'sum' AND document_id = '004' "
        "AND role = 'total'").df()
    assert len(findings) == 1
    row = findings.iloc[0]
    # one meaning for every rule: expected = what the other figures give, actual = what is stated
    assert row["value"] == 1476510000 and row["actual"] == 1476510000
    assert row["expected"] == 1746510000


def test_figures_whose_period_the_text_does_not_give_stay_out_of_series(warehouse):
    not_stated = warehouse.execute(
        "SELECT observation_id FROM observations WHERE period_basis = 'not_stated'").df()
    assert len(not_stated) > 50
    in_series = warehouse.execute(
        "SELECT count(*) FROM series_vintages WHERE observation_id IN "
        "(SELECT observation_id FROM observations WHERE period_basis = 'not_stated') "
        "AND kind <> 'derived'").fetchone()[0]
    assert in_series == 0
    # "de 113 à 87 jours": the start has no year and is not a 2023 point of the series
    assert warehouse.execute(
        "SELECT count(*) FROM series WHERE indicator = 'priority_files_median_delay' "
        "AND value = 113").fetchone()[0] == 0


def test_status_and_organisation_are_carried_into_series(warehouse):
    rows = warehouse.execute(
        "SELECT entity, kind, obs_status, qualifier FROM series WHERE indicator = "
        "'disabled_staff_employment_rate' AND period = '2024' AND measure = 'level'").df()
    assert len(rows) == 1
    row = rows.iloc[0]
    # "supérieur à 4 % en 2024", on first figures of a report in preparation (000 l.1524-1526)
    assert (row["entity"], row["kind"], row["obs_status"], row["qualifier"]) == (
        "fps_social_security", "estimate", "p", "lower_bound")
    staff = warehouse.execute(
        "SELECT DISTINCT entity FROM series WHERE indicator = 'staff_headcount'").df()
    assert "pps_social_integration" in set(staff["entity"])
    assert not warehouse.execute(
        "SELECT count(*) FROM series WHERE breakdown LIKE '%entity=%'").fetchone()[0]


def test_other_countries_are_not_belgium(warehouse):
    rows = warehouse.execute(
        "SELECT geo FROM observations WHERE observation_id = '002:136:31'").fetchone()
    assert rows == ("ES+EL",)


def test_plausibility_jumps_are_found_between_consecutive_years_of_one_series():
    import pandas as pd

    from transforms.consistency import jump_findings

    def point(period, value, unit="count", geo="BE", obs=None):
        return {"indicator": "x", "geo": geo, "entity": "", "breakdown": "", "unit": unit,
                "measure": "level", "period": period, "value": value, "document_id": "000",
                "document_sha256": "0" * 64, "line": 1, "quote": "q",
                "observation_id": obs or f"{geo}{period}{unit}"}

    series = pd.DataFrame([
        point("2021", 100), point("2020", 100), point("2022", 151),   # +51 % from 2021: found
        point("2024", 400),                                            # 2023 missing: not compared
        point("2020", 0, geo="BE1"), point("2021", 999, geo="BE1"),   # from zero: not compared
        point("2020", 10, "percent"), point("2021", 36, "percent"),   # +26 points: found
        point("2022", 60, "percent"),                                  # +24 points: not found
        point("2020-S1", 1, geo="BE2"), point("2021-S1", 9, geo="BE2")])  # not yearly
    found = pd.DataFrame(jump_findings(series))
    assert sorted(found["finding_id"].unique()) == [
        "plausibility_jump:BE2020percent+BE2021percent", "plausibility_jump:BE2021count+BE2022count"]
    roles = found.set_index(["finding_id", "role"])["value"]
    assert roles[("plausibility_jump:BE2021count+BE2022count", "previous")] == 100
    assert roles[("plausibility_jump:BE2021count+BE2022count", "current")] == 151
