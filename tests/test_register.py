"""Every register entry against its document, and every kind of bad input refused by name."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sources.register import (Catalogues, DocumentChecksumError, RegisterError, load_all,
                              read_plain_yaml, read_token, register_files)

SOURCES = Path(__file__).resolve().parent.parent / "sources"


def raw_entries():
    """(register file, figure entry, document lines) read straight from YAML and the text files."""
    docs = {d["id"]: d for d in read_plain_yaml(SOURCES / "documents.yaml")["documents"]}
    for path in register_files(SOURCES):
        data = read_plain_yaml(path)  # libyaml: read at collection, by both workers
        doc = docs[str(data["document"])]
        lines = (SOURCES / "documents" / doc["file"]).read_text(encoding="utf-8").split("\n")
        for entry in data.get("figures") or []:
            yield path.name, entry, lines


ENTRIES = list(raw_entries())
UNITS = {code: ind["unit"] for code, ind in Catalogues(SOURCES).indicators.items()}


@pytest.mark.parametrize("register,entry,lines", ENTRIES,
                         ids=[f"{r}:{e['line']}:{e.get('number', '')}" for r, e, _ in ENTRIES])
def test_quote_is_on_its_line_and_parses_to_its_value(register, entry, lines):
    assert entry["quote"] in lines[entry["line"] - 1]
    token = read_token(entry["quote"], entry, entry.get("unit") or UNITS[entry["indicator"]])
    value = token.scaled_value * entry.get("scale", 1) * (-1 if entry.get("negate") else 1)
    if "value" in entry:
        assert value == pytest.approx(entry["value"])


def test_every_register_loads_and_each_figure_is_registered_once():
    register = load_all()
    ids = [f["observation_id"] for f in register.figures]
    assert len(ids) == len(set(ids)) == len(ENTRIES)


def test_document_003_is_fully_accounted_for():
    from sources.register import coverage

    register = load_all(documents={"003"})
    rows = coverage(register.catalogues, register.figures, register.dismissed)
    statuses = {r["status"] for r in rows if r["document_id"] == "003"}
    assert statuses == {"registered", "dismissed"}


def test_tampered_document_is_refused_by_name(sources_copy):
    path = next((sources_copy / "documents").glob("003_*.txt"))
    path.write_bytes(path.read_bytes().replace(b"242 454", b"242 455"))
    with pytest.raises(DocumentChecksumError, match=r"document 003 .*003_bc6ea9325629a296\.txt"):
        load_all(sources_copy)


def break_register(sources_copy: Path, change) -> None:
    path = sources_copy / "figures" / "003.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def first(field, value):
    return lambda data: data["figures"][0].__setitem__(field, value)


BAD_INPUTS = {
    "quote not on its line": (first("line", 5), r"quote .* is not on line 5"),
    "quote without a number": (first("quote", "Les assistants sociaux"), r"numbers read: none"),
    "value not matching the quote": (first("value", 33), r"value 33 does not match"),
    "unknown indicator": (first("indicator", "no_such_code"), r"unknown indicator 'no_such_code'"),
    "unknown unit": (first("unit", "furlongs"), r"unknown unit 'furlongs'"),
    "unknown kind": (first("kind", "guess"), r"kind 'guess'"),
    "unknown geo": (first("geo", "FR"), r"unknown geo 'FR'"),
    "invalid period": (first("period", "2023-13"), r"invalid period '2023-13'"),
    "duplicate entry": (lambda d: d["figures"].append(dict(d["figures"][0])), r"duplicate entry"),
    "unknown document": (lambda d: d.__setitem__("document", "999"), r"document '999' is not in"),
    "unknown period_basis": (first("period_basis", "guessed"), r"unknown period_basis 'guessed'"),
    "inferred period without its line": (first("period_basis", "inferred"),
                                         r"an inferred period needs period_line"),
    "period_line outside the document": (first("period_line", 99), r"period_line must be a line"),
    "unknown obs_status": (first("obs_status", "z"), r"unknown obs_status 'z'"),
    "estimate with a status of an observation": (
        lambda d: d["figures"][0].update(kind="estimate", obs_status="b"),
        r"an estimate has obs_status e, p or f"),
    "provisional figure as observed": (first("obs_status", "p"), r"is kind estimate, not observed"),
    "unknown entity": (first("entity", "fps_nowhere"), r"unknown entity 'fps_nowhere'"),
    "unknown geo among several": (first("geo", "ES+XX"), r"unknown geo 'XX'"),
    "repeat of no figure": (first("repeats", "003:99:1"), r"repeats '003:99:1', which is not"),
    "unknown lint rule": (first("lint", {"no_such_rule": "because"}), r"unknown lint rule"),
    "lint acceptance without a reason": (first("lint", {"bound_as_exact": ""}),
                                         r"lint must map a lint rule to the reason"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_register_input_is_refused_naming_file_and_entry(sources_copy, case):
    change, message = BAD_INPUTS[case]
    break_register(sources_copy, change)
    with pytest.raises(RegisterError, match=message) as info:
        load_all(sources_copy)
    assert "003.yaml" in str(info.value)


def test_catalogue_document_path_cannot_leave_sources(sources_copy):
    path = sources_copy / "documents.yaml"
    path.write_text(path.read_text().replace("file: 003_bc6ea9325629a296.txt",
                                             "file: ../../etc/passwd"))
    with pytest.raises(RegisterError, match="plain file name"):
        Catalogues(sources_copy).documents


def test_a_reading_digest_follows_what_a_register_says_not_its_bytes_nor_its_folder(
        sources_copy, tmp_path):
    from sources.register import forget_in_process, reading_digests

    kept = tmp_path / "kept"
    forget_in_process()
    first = reading_digests(Catalogues(sources_copy), kept)
    assert sorted(first) == [p.name for p in register_files(sources_copy)]
    assert reading_digests(Catalogues(SOURCES)) == first  # the same registers elsewhere
    edited = sources_copy / "figures" / "003.yaml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text + "\n# checked again in December\n", encoding="utf-8")
    forget_in_process()  # as a new process: the digests kept beside the readings are read
    assert reading_digests(Catalogues(sources_copy), kept) == first
    edited.write_text(text.replace("note: 'The French", "note: 'Checked again. The French"),
                      encoding="utf-8")
    changed = reading_digests(Catalogues(sources_copy), kept)
    assert [n for n in first if changed[n] != first[n]] == ["003.yaml"]


def test_a_checked_register_is_kept_until_its_bytes_catalogues_or_document_change(
        sources_copy, tmp_path):
    from sources.register import forget_in_process

    cache = tmp_path / "kept"
    names = [p.name for p in register_files(sources_copy)]
    forget_in_process()
    first = load_all(sources_copy, cache=cache)
    assert (first.read, first.kept) == (names, [])
    for suffix in ("pickle", "digest"):  # the reading and the digest of what it says
        assert sorted(p.name.split("-")[0] for p in cache.glob(f"*.{suffix}")) == \
            [n[:-5] for n in names]

    forget_in_process()  # as a new process: only the folder is left
    again = load_all(sources_copy, cache=cache)
    assert (again.read, again.kept) == ([], names)
    assert again.figures == first.figures and again.dismissed == first.dismissed
    assert again.checks == first.checks

    edited = sources_copy / "figures" / "003.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    after_edit = load_all(sources_copy, cache=cache)
    assert after_edit.read == ["003.yaml"] and "003.yaml" not in after_edit.kept
    assert load_all(sources_copy, cache=cache).read == ["003.yaml"]  # read by this process
    assert after_edit.figures == first.figures
    assert len(list(cache.glob("003-*.pickle"))) == 1  # the older reading is dropped

    vocabulary = sources_copy / "vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n# a comment\n",
                          encoding="utf-8")
    assert load_all(sources_copy, cache=cache).read == names

    next(cache.glob("000-*.pickle")).write_bytes(b"not a pickle")
    forget_in_process()
    damaged = load_all(sources_copy, cache=cache)
    assert damaged.read == ["000.yaml"] and damaged.figures == first.figures

    edited.write_text(edited.read_text(encoding="utf-8").replace("quote: ", "quote: x", 1),
                      encoding="utf-8")
    with pytest.raises(RegisterError, match=r"003\.yaml:\d+: figures entry 1: quote 'x"):
        load_all(sources_copy, cache=cache)
    edited.write_text(edited.read_text(encoding="utf-8").replace("quote: x", "quote: ", 1),
                      encoding="utf-8")
    document = next((sources_copy / "documents").glob("003_*.txt"))
    document.write_bytes(document.read_bytes().replace(b"242 454", b"242 455"))
    with pytest.raises(DocumentChecksumError, match="document 003"):
        load_all(sources_copy, cache=cache)  # its register's reading is kept, not its text


def test_settings_files_with_bad_yaml_are_refused_by_name(tmp_path):
    from sources.register import read_plain_yaml

    path = tmp_path / "settings.yaml"
    path.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"settings\.yaml: not valid YAML"):
        read_plain_yaml(path)
    path.write_text("", encoding="utf-8")
    assert read_plain_yaml(path) is None
    path.write_text("a: 1\n", encoding="utf-8")
    first = read_plain_yaml(path)
    first["a"] = 2  # each reader has its own copy
    assert read_plain_yaml(path) == {"a": 1}
