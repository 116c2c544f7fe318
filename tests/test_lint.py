"""Register lint: each rule fires on a real line of the documents read the wrong way, and stays
quiet on the reading the registers hold."""
from __future__ import annotations

import pytest

from sources.lint import lint_figures, sentence_of
from sources.register import load_all


@pytest.fixture(scope="module")
def register():
    return load_all()


def figure(register, observation_id: str) -> dict:
    return dict(next(f for f in register.figures if f["observation_id"] == observation_id))


def rules(register, *figures) -> set[str]:
    return {f["rule"] for f in lint_figures(list(figures), register.catalogues.document_lines)
            if not f["accepted"]}


# (observation id on a real line, the wrong reading, the rule that must catch it)
WRONG_READINGS = [
    ("000:156:180", {"period_basis": ""}, "period_basis_missing"),
    ("003:4:28", {"period_basis": "stated", "period": "2022"}, "stated_period_not_in_sentence"),
    ("003:13:136", {"period_line": 13}, "inferred_period_not_on_line"),
    ("002:136:31", {"geo": "BE"}, "foreign_geo_as_be"),
    ("003:13:84", {"unit": "days"}, "working_days_as_days"),
    ("000:1526:107", {"kind": "observed", "obs_status": ""}, "estimate_as_observed"),
    ("000:603:79", {"qualifier": "exact"}, "bound_as_exact"),
    ("003:8:477", {"unit": "percent"}, "change_as_level"),
    ("000:1524:177", {"kind": "observed"}, "norm_as_observed"),
    ("000:591:37", {"entity": ""}, "organisation_without_entity"),
]


@pytest.mark.parametrize("observation_id,wrong,rule", WRONG_READINGS,
                         ids=[r for _, _, r in WRONG_READINGS])
def test_rule_catches_a_wrong_reading_of_a_real_line(register, observation_id, wrong, rule):
    right = figure(register, observation_id)
    assert rule not in rules(register, right), "the registered reading must pass this rule"
    assert rule in rules(register, {**right, **wrong, "lint": {}})


def test_approx_word_before_the_number_needs_the_approx_qualifier(register):
    fig = next(f for f in register.figures if f["qualifier"] == "approx"
               and "environ" in f["quote"])
    assert "approx_as_exact" not in rules(register, fig)
    assert "approx_as_exact" in rules(register, {**fig, "qualifier": "exact"})


def test_a_repeat_without_repeats_is_caught_and_the_link_silences_it(register):
    body, headline = figure(register, "000:609:188"), figure(register, "000:1657:274")
    assert headline["repeats"] == body["observation_id"]
    assert "repeat_without_note" not in rules(register, body, headline)
    assert "repeat_without_note" in rules(register, body, {**headline, "repeats": ""})


def test_an_accepted_finding_stays_listed_with_its_reason(register):
    fig = figure(register, "000:646:72")
    found = [f for f in lint_figures([fig], register.catalogues.document_lines)
             if f["rule"] == "bound_as_exact"]
    assert found and "1.867" in found[0]["accepted"]


def test_sentence_is_joined_across_broken_pdf_lines():
    lines = ["Le SPP Intégration sociale a versé 541 millions ", "",
             "d'euros de revenu d'intégration en 2013.", "", "En 2013, 152.050 personnes"]
    assert sentence_of(lines, 1, 35, 38) == ("Le SPP Intégration sociale a versé 541 millions "
                                             "d'euros de revenu d'intégration en 2013.")


def test_the_registers_leave_no_open_lint_finding(register):
    open_ = [f for f in lint_figures(register.figures, register.catalogues.document_lines)
             if not f["accepted"]]
    assert open_ == []
