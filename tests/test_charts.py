"""The chart kit as a communication officer takes it: titles whose numbers are the data's, marks
for estimates and bounds, reference lines, numbers per locale, files that designers can edit, and
layouts a machine has checked."""
from __future__ import annotations

import json
import re
import zipfile

import pandas as pd
import pytest

from publication import charts, formats
from sources.numbers import find_numbers


@pytest.fixture(scope="module")
def kit(materialized):
    """Each chart's record (texts, claims, layout checks, files) and its public CSV."""
    outputs, result = materialized
    assert result.success
    made = {}
    for spec in charts.load_specs():
        path = outputs / "build" / "charts" / f"{spec['chart_id']}.json"
        record = json.loads(path.read_text(encoding="utf-8"))
        record["csv"] = pd.read_csv(outputs / "charts" / record["files"]["csv"],
                                    dtype={"period": str})
        made[spec["chart_id"]] = record
    return outputs, made


def test_every_declared_chart_is_drawn(kit):
    _, made = kit
    assert set(made) == {s["chart_id"] for s in charts.load_specs()}


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_chart_passes_the_layout_checks_in_both_sizes(kit, lang):
    _, made = kit
    problems = {f"{name} {key}": found for name, record in made.items()
                for key, found in record["layout"].items() if key.startswith(lang) and found}
    assert problems == {}
    assert all({f"{lang}_wide", f"{lang}_narrow"} <= set(r["layout"]) for r in made.values())


def test_layout_check_sees_clipped_overlapping_and_crossed_labels():
    plt = charts._setup()
    fig = plt.figure(figsize=(4, 3), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.plot([0, 1], [0, 1], gid="data")
    ax.text(0.5, 0.5, "crossed by the line", ha="center", va="center")
    fig.text(0.95, 0.5, "beyond the right edge of the canvas")
    fig.text(0.1, 0.9, "one label here")
    fig.text(0.12, 0.9, "another label on it")
    problems = " | ".join(charts.layout_problems(fig))
    plt.close(fig)
    assert "crossed by a line: 'crossed by the line'" in problems
    assert "outside the canvas: 'beyond the right edge of the canvas'" in problems
    assert "overlapping: 'one label here' and 'another label on it'" in problems


def _recompute(claim: dict, csv: pd.DataFrame) -> float:
    """A title's number computed again from the chart's public CSV."""
    rows = [csv[(csv["observation_id"] == oid) & (csv["period"] == str(period))]["value"]
            for oid, period in claim["rows"]]
    assert all(len(r) >= 1 for r in rows), claim
    values = [float(r.iloc[0]) for r in rows]
    kind = claim["kind"]
    if kind == "value":
        return values[0]
    if kind == "points":
        return values[1] - values[0]
    if kind == "percent_change":
        return (values[1] / values[0] - 1) * 100
    if kind == "share":
        return values[0] / (values[1] if len(values) == 2 else sum(values[1:])) * 100
    if kind == "total":
        return sum(values)
    raise AssertionError(f"unknown claim {kind}")


def _precision(text: str) -> float:
    """Half the last written digit of a number in a text, in the number's own scale."""
    token = find_numbers(text)[0]
    digits = re.search(r"[,.](\d+)$", token.text.replace("\u00a0", ""))
    places = len(digits.group(1)) if digits and not re.search(r"\.\d{3}$", token.text) else 0
    scale = token.scaled_value / token.value if token.value else 1
    return 0.5 * 10 ** -places * abs(scale)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_number_in_a_title_is_recomputed_from_the_data(kit, lang):
    import duckdb

    outputs, made = kit
    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        published_in = dict(con.execute("SELECT document_id, published FROM documents").fetchall())
    published = {}
    for record in made.values():
        texts, csv = record["texts"][lang], record["csv"]
        allowed_years = {p[:4] for p in csv["period"]} | {
            published_in[f"{int(d):03d}"] for d in csv["document"]}
        label_numbers = {t.value for c in pd.concat([csv["category_fr"], csv["category_nl"]])
                         for t in find_numbers(str(c))}
        period_numbers = {t.value for p in set(csv["period"])
                          for t in find_numbers(charts.period_label(p, lang))}
        for claim in texts["claims"]:
            assert claim["text"] in texts["title"] + texts["subtitle"], claim
            written = find_numbers(claim["text"])[0].scaled_value
            recomputed = _recompute(claim, csv)
            assert abs(abs(written) - abs(recomputed)) <= _precision(claim["text"]) + 1e-9, (
                record["chart_id"], claim, recomputed)
        claimed = "".join(c["text"] for c in texts["claims"])
        for field in ("title", "subtitle"):
            rest = texts[field]
            for claim in texts["claims"]:
                rest = rest.replace(claim["text"], " ")
            for token in find_numbers(rest):
                ok = (token.text in allowed_years or token.value in label_numbers
                      or token.value in period_numbers)
                assert ok, f"{record['chart_id']} {field}: {token.text!r} is not from the data"
        published[record["chart_id"]] = claimed
    assert published


def test_a_title_number_that_disagrees_with_the_data_is_caught(kit):
    _, made = kit
    record = made["disabled_staff_employment_rate"]
    claim = dict(record["texts"]["fr"]["claims"][0])
    recomputed = _recompute(claim, record["csv"])
    wrong = claim["text"].replace("4", "5")
    assert abs(find_numbers(wrong)[0].scaled_value - recomputed) > _precision(wrong)


def test_no_template_headline_and_the_organisation_in_every_organisation_chart(kit, materialized):
    from sources.register import Catalogues

    entities = Catalogues().vocabulary["entities"]
    _, made = kit
    for record in made.values():
        for lang in ("fr", "nl"):
            title = record["texts"][lang]["title"]
            assert not re.search(r"en tête|op kop|\bin de kop\b", title), title
            if record["entity"]:
                names = entities[record["entity"]][lang]
                short = re.findall(r"\(([^)]+)\)", names) or [names]
                assert any(n in title for n in [names, *short]), (record["chart_id"], title)


def test_the_three_charts_the_review_found_wrong_say_what_their_sources_say(kit):
    _, made = kit

    def plain(text):
        return text.replace("\u00a0", " ")

    staff = made["disabled_staff_employment_rate"]
    fr = {k: plain(v) if isinstance(v, str) else v for k, v in staff["texts"]["fr"].items()}
    assert "SPF Sécurité sociale" in fr["title"] and "plus de 4 %" in fr["title"]
    assert "minimum légal de 3 %" in fr["title"]
    assert any("provisoire (p)" in n for n in fr["notes"])
    assert any("plus de" in n for n in fr["notes"])
    shown = staff["csv"].set_index("period")
    assert shown.loc["2022", "value"] == 1.65 and shown.loc["2024", "qualifier"] == "lower_bound"
    assert "1,65 %" in fr["alt"] and "Belgique" not in fr["subtitle"]
    assert "reference" in set(staff["csv"]["role"])

    forms = made["contact_forms_by_response_time"]["texts"]["fr"]
    assert "plus de 90 %" in plain(forms["title"]) and "en tête" not in forms["title"]
    assert any("cumulatives" in n for n in forms["notes"])

    spending = made["social_protection_expenditure_gdp_share"]["texts"]
    assert "pic de 31,2 % du PIB en 2020" in plain(spending["fr"]["title"])
    assert "27,4 % en 2019" in plain(spending["fr"]["title"])
    assert any("estimation (e), 2023" in n for n in spending["fr"]["notes"])
    assert "piek van 31,2% van het bbp in 2020" in plain(spending["nl"]["title"])


def test_source_lines_name_publication_and_year_in_the_chart_language_without_lines(kit):
    _, made = kit
    for record in made.values():
        for lang, word in (("fr", "Source"), ("nl", "Bron")):
            source = record["texts"][lang]["source"]
            assert source.startswith(word) and re.search(r"\(\d{4}\)", source)
            assert not re.search(r"\bligne|\bregel", source)
    nl = made["pps_credits_by_policy_domain"]["texts"]["nl"]["source"]
    assert "POD Maatschappelijke Integratie, Jaarverslag 2013 (2014)" in nl


def test_long_description_gives_each_value_with_its_document_line(kit):
    outputs, made = kit
    record = made["complaints_by_outcome"]
    text = (outputs / "charts" / record["files"]["long_fr"]).read_text(encoding="utf-8")
    for row in record["csv"].itertuples():
        assert f"ligne {row.line}" in text


def test_files_print_size_png_live_text_svg_and_a_public_csv(kit):
    from PIL import Image

    outputs, made = kit
    record = made["disabled_staff_employment_rate"]
    for lang in ("fr", "nl"):
        wide = Image.open(outputs / "charts" / record["files"][f"png_{lang}"])
        narrow = Image.open(outputs / "charts" / record["files"][f"png_{lang}_1col"])
        assert abs(wide.size[0] / 300 * 2.54 - 17) < 0.1  # two columns: 17 cm at 300 dpi
        assert abs(narrow.size[0] / 300 * 2.54 - 8.5) < 0.1
        svg = (outputs / "charts" / record["files"][f"svg_{lang}"]).read_text(encoding="utf-8")
        assert "<text" in svg and "Source Sans Pro" in svg
        words = record["texts"][lang]["title"].split()[:3]
        assert " ".join(words) in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", svg))
    csv = record["csv"]
    assert {"series_fr", "series_nl", "category_fr", "category_nl", "unit", "status_fr",
            "status_nl", "source_fr", "source_nl", "line", "quote"} <= set(csv.columns)
    assert set(csv["status_fr"].dropna()) == {"chiffre provisoire"}


def test_the_same_figure_has_the_same_value_everywhere_in_the_kit(kit):
    _, made = kit
    rows = pd.concat([r["csv"] for r in made.values()], ignore_index=True)
    rows = rows.fillna("")
    spread = rows.groupby(["indicator", "geo", "entity", "breakdown", "measure", "period"])[
        "value"].nunique()
    assert (spread == 1).all(), spread[spread > 1]


def test_numbers_are_written_as_each_language_prints_them():
    assert formats.percent(52.2, "fr", 1) == "52,2\u00a0%" and formats.percent(52.2, "nl", 1) == "52,2%"
    assert formats.number(253866, "fr") == "253\u00a0866" and formats.number(253866, "nl") == "253.866"
    assert formats.amount_eur(48_280_754, "fr") == "48,3\u00a0M€"
    assert formats.amount_eur(48_280_754, "nl") == "€\u00a048,3\u00a0mln"
    assert formats.amount_eur(1_712_094_000, "fr", words=True) == "1,7\u00a0milliard d’euros"
    assert formats.amount_eur(2_780_000_000, "fr", words=True) == "2,8\u00a0milliards d’euros"
    assert formats.amount_eur(85_937, "fr") == "85\u00a0937\u00a0€"
    assert formats.amount_eur(85_937, "nl") == "€\u00a085.937"
    assert formats.points(0.4, "fr") == "+0,4\u00a0point" and formats.points(2.4, "fr") == "+2,4\u00a0points"
    assert formats.points(-0.4, "nl") == "−0,4\u00a0procentpunt"
    assert formats.qualified(formats.percent(4, "fr"), "lower_bound", "fr", "sign") == ">\u00a04\u00a0%"
    assert formats.value(3.39, "percent", "fr", 2) == "3,39\u00a0%"  # decimals as printed
    assert charts.written_decimals("1,65") == 2 and charts.written_decimals("1.867") == 0


def test_kit_zip_holds_every_file_and_the_font(kit):
    outputs, made = kit
    with zipfile.ZipFile(outputs / "charts" / "kit.zip") as archive:
        names = set(archive.namelist())
    for record in made.values():
        assert {f"charts/{f}" for f in record["files"].values()} <= names
    assert {"fonts/SourceSansPro-Regular.ttf", "fonts/LICENSE.txt"} <= names
