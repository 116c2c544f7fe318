"""The French number parser: real examples from the documents and property-based round trips."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from sources.numbers import (NumberFormatError, find_numbers, parse_digits, pick_number,
                             read_deadline, read_frequency)

DOCS = Path(__file__).resolve().parent.parent / "sources" / "documents"

# (document, line, text on that line, expected numbers as (written, value after scale, percent))
REAL_EXAMPLES = [
    ("000", 156, "enregistré 163 337 demandes", [("163 337", 163337, False)]),
    ("000", 183, "un montant de 2,78 milliards d’euros", [("2,78", 2.78e9, False)]),
    ("000", 646, "pas moins de 1.867 attestations", [("1.867", 1867, False)]),
    ("000", 1029, "plus de 28.5 millions de travailleurs", [("28.5", 28.5e6, False)]),
    ("000", 154, "sur vingt a été contrôlé", [("vingt", 20, False)]),
    ("001", 1223, "de l’administration fédérale1. Il y est", []),
    ("002", 452, "intégration sociale 752.262.000 727.680.000 + 3%",
     [("752.262.000", 752262000, False), ("727.680.000", 727680000, False), ("3", 3, True)]),
    ("003", 8, "une augmentation de 5,1 %", [("5,1", 5.1, True)]),
    ("003", 8, "a augmenté de 42,0%", [("42,0", 42.0, True)]),
    ("003", 22, "+32 (0)473 13 13 29", [("+32", 32, False), ("0", 0, False), ("473", 473, False),
                                       ("13", 13, False), ("13", 13, False), ("29", 29, False)]),
]


def document_line(doc: str, line: int) -> str:
    path = next(DOCS.glob(f"{doc}_*.txt"))
    return path.read_text(encoding="utf-8").split("\n")[line - 1]


@pytest.mark.parametrize("doc,line,text,expected", REAL_EXAMPLES)
def test_real_examples_read_as_expected(doc, line, text, expected):
    assert text in document_line(doc, line), "the example must be quoted from its document"
    found = [(t.text, t.scaled_value, t.percent) for t in find_numbers(text)]
    assert [(w, pytest.approx(v), p) for w, v, p in expected] == found


def test_tab_separated_table_row_gives_one_number_per_cell():
    row = document_line("004", 310)
    assert "\t" in row
    assert [t.value for t in find_numbers(row)] == [9750, 9750, 8942]


def test_space_is_both_thousands_and_column_separator():
    assert [t.value for t in find_numbers("12 345 678 9 876 543")] == [12345678, 9876543]


def test_quote_with_several_numbers_needs_the_number_named():
    with pytest.raises(NumberFormatError, match="exactly one number"):
        pick_number("de 10 à 5 jours")
    assert pick_number("de 10 à 5 jours", "5").value == 5
    with pytest.raises(NumberFormatError):
        pick_number("aucun chiffre ici")


def test_signs_and_ranges():
    assert [t.value for t in find_numbers("soit -3,2 % sur 2021-2024")] == [-3.2, 2021, 2024]


def group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


@given(st.integers(min_value=1000, max_value=10**12), st.sampled_from([" ", ".", "\u00a0", "\u202f"]))
def test_grouped_integers_round_trip(n, sep):
    written = group(str(n), sep)
    assert parse_digits(written) == n
    assert [t.value for t in find_numbers(f"un total de {written} bénéficiaires")] == [n]


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99),
       st.sampled_from([" ", "."]), st.booleans())
def test_decimal_comma_round_trips(whole, cents, sep, percent):
    written = f"{group(str(whole), sep)},{cents:02d}"
    text = f"soit {written}{' %' if percent else ''} en 2023"
    tokens = find_numbers(text)
    assert tokens[0].value == pytest.approx(whole + cents / 100)
    assert tokens[0].percent is percent
    assert tokens[1].value == 2023


@given(st.integers(min_value=2, max_value=999_999))
def test_spelled_numbers_round_trip(n):
    written = num2words(n, lang="fr")
    tokens = find_numbers(f"il y a {written} dossiers")
    assert [t.value for t in tokens] == [n], written


@given(st.text(max_size=60))
def test_any_text_gives_numbers_or_nothing_never_a_crash(text):
    for token in find_numbers(text):
        assert text[token.start:token.end] == token.text


def test_approximate_quantities_and_fractions_in_words():
    line = document_line("002", 1894)
    assert [(t.text, t.value) for t in find_numbers(line)] == [("quarantaine", 40)]
    two_thirds = find_numbers("Plus des deux tiers des mesures")
    assert [(t.text, round(t.value, 4)) for t in two_thirds] == [("deux tiers", 0.6667)]
    assert find_numbers("la moitié de la population")[0].value == 0.5


# (document, line, text on that line, times per year)
FREQUENCIES = [
    ("001", 2393, "minimum deux fois par an", 2),
    ("001", 3857, "chaque semestre", 2),
    ("001", 4089, "communiquera mensuellement", 12),
    ("001", 1791, "Tous les deux ans", 0.5),
    ("001", 2959, "annuellement cette roadmap", 1),
]


@pytest.mark.parametrize("doc,line,text,expected", FREQUENCIES)
def test_frequencies_in_words_read_as_times_per_year(doc, line, text, expected):
    assert text in document_line(doc, line)
    assert read_frequency(text).value == expected


def test_a_quote_with_two_frequencies_needs_the_one_named():
    text = "La CAPAC établit chaque année son rapport annuel"
    assert text in document_line("001", 1889)
    with pytest.raises(NumberFormatError, match="name it with `number:`"):
        read_frequency(text)
    assert read_frequency(text, "chaque année").text == "chaque année"


# (document, line, text, yearly, ISO date or --MM-DD it reads as)
DEADLINES = [
    ("001", 3395, "pour le 31 mars 2024", False, "2024-03-31"),
    ("001", 1519, "avant la fin de l’année 2024", False, "2024-12-31"),
    ("001", 1815, "premier semestre 2025", False, "2025-06-30"),
    ("001", 3415, "dans le courant de 2023", False, "2023-12-31"),
    ("001", 2032, "(2024-2025)", False, "2025-12-31"),
    ("001", 2421, "au plus tard pour le 31 mars", True, "--03-31"),
    ("001", 3271, "pour la fin du premier trimestre de chaque année", True, "--03-31"),
    ("001", 2797, "présenté en novembre", True, "--11-30"),
]


@pytest.mark.parametrize("doc,line,text,yearly,expected", DEADLINES)
def test_deadlines_read_as_a_date_or_a_day_of_the_year(doc, line, text, yearly, expected):
    from datetime import date, timedelta

    assert text in document_line(doc, line)
    value = read_deadline(text, yearly).value
    if yearly:
        assert (date(2001, 1, 1) + timedelta(days=value - 1)).strftime("--%m-%d") == expected
    else:
        assert (date(1970, 1, 1) + timedelta(days=value)).isoformat() == expected


def test_a_deadline_of_the_wrong_kind_is_refused():
    with pytest.raises(NumberFormatError, match="dated deadline"):
        read_deadline("au plus tard pour le 31 mars", yearly=False)
    with pytest.raises(NumberFormatError, match="day of the year"):
        read_deadline("pour le 31 mars 2024", yearly=True)


def french(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


@given(st.integers(1, 99_999), st.integers(0, 2), st.sampled_from(["", " "]))
def test_a_sign_set_apart_from_a_percentage_is_read(n, decimals, space):
    value = n / 10 ** decimals
    written = french(value, decimals)
    for sign, factor in (("- ", -1), ("+ ", 1), ("\u2212 ", -1)):
        [token] = find_numbers(f"Economie sociale {sign}{written}{space}%")
        assert token.value == pytest.approx(factor * value) and token.percent


@given(st.integers(1, 999), st.integers(1, 9))
def test_a_dash_between_table_cells_is_not_a_sign(whole, tenth):
    row = f"2003 8.829 - {whole},{tenth} 1,4"
    values = [t.value for t in find_numbers(row)]
    assert values == [2003, 8829, pytest.approx(whole + tenth / 10), 1.4]


@given(st.integers(1_000_000, 10**12))
def test_comma_grouped_thousands_read_as_thousands(n):
    written = f"{n:,}"
    [token] = find_numbers(f"soit {written} personnes")
    assert token.value == n and token.text == written
    assert parse_digits(written) == n


def test_one_comma_group_stays_a_decimal_comma():
    assert [t.value for t in find_numbers("1,000 et 2,5")] == [1.0, 2.5]


@given(st.integers(0, 99_999), st.integers(0, 2))
def test_pour_cent_is_a_percent_sign_not_a_hundred(n, decimals):
    value = n / 10 ** decimals
    [token] = find_numbers(f"soit {french(value, decimals)} pour cent des dépenses")
    assert token.value == pytest.approx(value) and token.percent
    assert find_numbers("pour centraliser les informations") == []


@pytest.mark.parametrize("text,value", [("un million de personnes", 1e6),
                                        ("Un milliard d'euros", 1e9),
                                        ("deux millions", 2e6)])
def test_un_million_is_a_number(text, value):
    [token] = find_numbers(text)
    assert token.scaled_value == value
