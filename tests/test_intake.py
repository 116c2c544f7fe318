"""From a published PDF to a published figure with its page: intake, refusals, suggested meanings.

The PDFs are made here with matplotlib (text drawn as text, TrueType fonts): French text, a table
with thousands separators under a row of years, a footnote, a word hyphenated across two lines,
a running header and footer, two pages.
"""
from __future__ import annotations

import hashlib

import pytest
import yaml

from sources.intake import IntakeError, intake, line_pages, running_lines

PAGES = [
    ["Rapport annuel 2025 du SPF Test",
     "",
     "Le revenu d'intégration a été octroyé à 163 337 personnes en 2025, soit une hausse",
     "de 3,2 % par rapport à l'année précédente. Les demandes ont été traitées en moyen-",
     "ne en 21 jours¹.",
     "",
     "Tableau 1. Bénéficiaires par région",
     "Région\t2023\t2024\t2025",
     "Bruxelles\t41 230\t42 118\t43 907",
     "Wallonie\t60 101\t61 554\t62 003",
     "",
     "¹ Délai calculé sur les dossiers complets."],
    ["Rapport annuel 2025 du SPF Test",
     "",
     "Environ 1.867 plaintes ont été reçues en 2025.",
     "Plus de 95 % des appels ont reçu une réponse.",
     "Concrètement, cela signifie qu’actuellement nous avons un total de 175 moments",
     "de contact mensuels.",
     "",
     "Tableau 2. Demandes et décisions",
     "Année\tDemandes\tDécisions",
     "2023\t12 450\t11 980",
     "2024\t13 112\t12 706"],
]


def make_pdf(path, pages=PAGES, title="Rapport annuel 2025", author="SPF Sécurité sociale",
             image_only=False):
    """A PDF of `pages` (lines; tabs separate table cells), with a footer 'Page n'."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with plt.rc_context({"pdf.fonttype": 42}), \
            PdfPages(path, metadata={"Title": title, "Author": author}) as pdf:
        for number, lines in enumerate(pages, start=1):
            fig = plt.figure(figsize=(8.27, 11.69))
            if image_only:  # a scan: the page is a picture
                fig.add_axes([0, 0, 1, 1]).imshow([[0, 1], [1, 0]], cmap="gray")
                fig.axes[0].set_axis_off()
            else:
                for row, line in enumerate(lines):
                    for cell, text in enumerate(line.split("\t")):
                        fig.text(0.08 + 0.2 * cell, 0.95 - 0.025 * row, text, fontsize=10)
                fig.text(0.5, 0.03, f"Page {number}", fontsize=8, ha="center")
            pdf.savefig(fig)
            plt.close(fig)
    return path


@pytest.fixture
def report_pdf(tmp_path):
    return make_pdf(tmp_path / "rapport_2025.pdf")


def stored_state(root):
    return (sorted(p.name for p in (root / "documents").iterdir()),
            (root / "documents.yaml").read_bytes())


def taken_in(sources_copy, report_pdf):
    entry = intake(report_pdf, sources_copy)
    text = (sources_copy / "documents" / entry["file"]).read_text(encoding="utf-8")
    return entry, text.split("\n")


def test_intake_stores_the_pdf_its_text_by_page_and_a_draft_entry(sources_copy, report_pdf):
    entry, lines = taken_in(sources_copy, report_pdf)
    assert entry["id"] == "005" and entry["pages"] == 2
    stored = sources_copy / "documents" / entry["pdf"]
    assert stored.read_bytes() == report_pdf.read_bytes()
    assert entry["pdf_sha256"] == hashlib.sha256(report_pdf.read_bytes()).hexdigest()
    text_file = sources_copy / "documents" / entry["file"]
    assert entry["sha256"] == hashlib.sha256(text_file.read_bytes()).hexdigest()
    catalogue = yaml.safe_load((sources_copy / "documents.yaml").read_text(encoding="utf-8"))
    draft = catalogue["documents"][-1]
    assert draft["pdf_sha256"] == entry["pdf_sha256"] and draft["todo"]
    assert draft["title"] == "Rapport annuel 2025" and draft["publisher"] == "SPF Sécurité sociale"
    assert draft["language"] == "fr"
    pages = dict(zip(lines, line_pages(lines)))
    assert pages["Environ 1.867 plaintes ont été reçues en 2025."] == 2
    assert pages["Bruxelles\t41 230\t42 118\t43 907"] == 1  # table cells as tabs
    assert pages["¹ Délai calculé sur les dossiers complets."] == 1  # the footnote
    cut = next(i for i, line in enumerate(lines) if line.endswith("en moyen-"))
    assert lines[cut + 1].startswith("ne en 21 jours")  # the hyphenated word stays cut
    running = {lines[n - 1] for n in running_lines(lines)}
    assert running == {"Rapport annuel 2025 du SPF Test", "Page 1", "Page 2"}


def test_the_catalogue_checks_both_checksums(sources_copy, report_pdf):
    from sources.register import Catalogues, DocumentChecksumError

    entry, _ = taken_in(sources_copy, report_pdf)
    pdf = sources_copy / "documents" / entry["pdf"]
    pdf.write_bytes(pdf.read_bytes() + b"%")
    with pytest.raises(DocumentChecksumError, match=f"{entry['pdf']}.*has been modified"):
        Catalogues(sources_copy).document_text("005")


def encrypted(path, tmp_path, user_password):
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=make_pdf(tmp_path / "plain.pdf"))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    writer.write(path)
    return path


REFUSALS = {
    "needs a password": (lambda p, tmp: encrypted(p, tmp, "secret"), "encrypted and needs a password"),
    "owner restrictions": (lambda p, tmp: encrypted(p, tmp, ""), "encrypted .its owner restricts"),
    "scanned": (lambda p, tmp: make_pdf(p, image_only=True), "has a text layer .a scanned"),
    "not a PDF": (lambda p, tmp: p.write_text("Rapport annuel 2025\n163 337 personnes\n") and p,
                  "not a PDF"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_intake_refuses_what_it_cannot_read_and_stores_nothing(case, sources_copy, tmp_path):
    make, message = REFUSALS[case]
    pdf = make(tmp_path / "report.pdf", tmp_path)
    before = stored_state(sources_copy)
    with pytest.raises(IntakeError, match=message):
        intake(pdf, sources_copy)
    assert stored_state(sources_copy) == before


def test_intake_refuses_the_same_pdf_twice(sources_copy, report_pdf):
    taken_in(sources_copy, report_pdf)
    before = stored_state(sources_copy)
    with pytest.raises(IntakeError, match="already document 005"):
        intake(report_pdf, sources_copy)
    assert stored_state(sources_copy) == before


def test_the_cli_refuses_with_one_clear_line(sources_copy, tmp_path, capsys):
    from sources.intake import main

    bad = tmp_path / "report.pdf"
    bad.write_text("not a pdf")
    assert main([str(bad), "--root", str(sources_copy)]) == 2
    assert capsys.readouterr().err.strip() == (f"error: {bad}: not a PDF (it does not start with "
                                               f"%PDF-); intake takes the report as the "
                                               f"publisher's PDF")


def draft_of(sources_copy, report_pdf):
    from sources.candidates import candidates

    taken_in(sources_copy, report_pdf)
    draft = candidates("005", sources_copy)
    by_number = {f["_token"].text: f for f in draft["figures"]}
    return draft, by_number


def test_candidates_of_a_pdf_suggest_meanings_with_pages(sources_copy, report_pdf):
    draft, by_number = draft_of(sources_copy, report_pdf)
    assert {(d["number"], d["reason"]) for d in draft["dismissed"]} == {("1", "page"),
                                                                        ("2", "page")}
    assert by_number["1.867"]["suggested"]["page"] == 2
    assert by_number["163 337"]["suggested"]["page"] == 1
    cell = by_number["42 118"]
    assert (cell["period"], cell["period_basis"], cell["geo"]) == ("2024", "inferred", "BE1")
    lines = (sources_copy / "documents").glob("005_*.txt")
    text = next(lines).read_text(encoding="utf-8").split("\n")
    assert text[cell["period_line"] - 1] == "Région\t2023\t2024\t2025"
    assert by_number["62 003"]["geo"] == "BE3" and by_number["62 003"]["period"] == "2025"
    assert by_number["1.867"]["qualifier"] == "approx" and by_number["1.867"]["value"] == 1867
    assert by_number["95"]["qualifier"] == "lower_bound" and by_number["95"]["unit"] == "percent"
    assert by_number["3,2"]["unit"] == "percent_change"
    assert (by_number["163 337"]["period"], by_number["163 337"]["period_basis"]) == ("2025", "stated")
    row = by_number["12 706"]  # a table whose first column gives the years
    assert (row["period"], row["period_basis"], row["geo"]) == ("2024", "stated", "BE")
    assert (by_number["11 980"]["period"], by_number["11 980"]["value"]) == ("2023", 11980)
    for figure in draft["figures"]:
        assert figure["todo"] in ("confirm", "classify")
        assert all(0 <= c <= 1 for c in figure["suggested"]["confidence"].values())


def test_a_suggestion_follows_another_registers_sentence(sources_copy, report_pdf):
    from sources.register import Catalogues

    draft, by_number = draft_of(sources_copy, report_pdf)
    moments = by_number["175"]
    assert moments["todo"] == "confirm"
    assert moments["indicator"] == "permanence_contact_moments"
    assert moments["suggested"]["precedent"].startswith("003:4:")
    assert moments["suggested"]["confidence"]["indicator"] >= 0.65
    assert moments["entity"] == "fps_social_security"  # the same publisher's precedent
    known = set(Catalogues(sources_copy).indicators)
    unread = [f for f in draft["figures"] if f["todo"] == "classify"]
    assert unread and all(f["indicator"] is None for f in unread)
    drafts = {d["code"] for d in draft["indicator_drafts"]}
    assert drafts and all(code.startswith("draft_") and code not in known for code in drafts)
    assert {f["suggested"].get("indicator_draft") for f in unread} - {None} <= drafts


def complete_entry(sources_copy, **fields):
    """What a person does with the catalogue draft of make intake."""
    catalogue = sources_copy / "documents.yaml"
    documents = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    entry = documents["documents"][-1]
    del entry["todo"]
    entry.update(period_covered="2025", published="2026", title_nl="Jaarverslag 2025",
                 citation={"fr": "SPF Test, Rapport annuel 2025", "nl": "FOD Test, Jaarverslag 2025"},
                 **fields)
    catalogue.write_text(yaml.safe_dump(documents, allow_unicode=True), encoding="utf-8")


def test_a_contract_learns_its_kinds_from_the_other_contract(sources_copy, report_pdf):
    from sources.candidates import candidates

    taken_in(sources_copy, report_pdf)
    complete_entry(sources_copy, kind="administration_contract")
    by_number = {f["_token"].text: f for f in candidates("005", sources_copy)["figures"]}
    # no word of a norm, a target or an estimate: the kind 001's register mostly reads (norms)
    assert by_number["163 337"]["kind"] == "threshold"
    assert 0.5 < by_number["163 337"]["suggested"]["confidence"]["kind"] < 1


def confirm(sources_copy, draft):
    """What a person does with the draft register: keep three figures (corrected where the
    suggestion was wrong) and dismiss the other numbers."""
    keep = {"163 337": "ris_beneficiaries", "42 118": "ris_beneficiaries", "175": None}
    figures, dismissed = [], list(draft["dismissed"])
    for f in draft["figures"]:
        number = f["_token"].text
        if number not in keep:
            dismissed.append({"line": f["line"], "number": number, "reason": "other",
                              "note": "not kept by the test"})
            continue
        entry = {k: v for k, v in f.items()
                 if not k.startswith("_") and k not in ("todo", "suggested")}
        if keep[number]:  # a corrected indicator: its unit is the catalogue's
            entry.update(indicator=keep[number], kind="observed", qualifier="exact", geo="BE")
            entry.pop("unit", None)
        figures.append(entry)
    register = {"document": "005", "figures": figures, "dismissed": dismissed}
    (sources_copy / "figures" / "005.yaml").write_text(
        yaml.safe_dump(register, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_loader_refuses_drafts(sources_copy, report_pdf):
    from sources.register import RegisterError, load_all

    draft, _ = draft_of(sources_copy, report_pdf)
    from sources.candidates import draft_yaml

    (sources_copy / "figures" / "005.yaml").write_text(
        yaml.safe_dump(draft_yaml(draft), allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RegisterError, match=r"005.yaml: .*documents.yaml:\d+: documents entry 6: document 005 is a draft"):
        load_all(sources_copy)
    complete_entry(sources_copy)
    confirm(sources_copy, draft)
    register = yaml.safe_load((sources_copy / "figures" / "005.yaml").read_text(encoding="utf-8"))
    register["figures"][0]["todo"] = "confirm"
    (sources_copy / "figures" / "005.yaml").write_text(yaml.safe_dump(register, allow_unicode=True))
    with pytest.raises(RegisterError, match="figures entry 1: still a draft .todo: confirm"):
        load_all(sources_copy)


OBSERVATIONS_AND_UP = ["documents", "indicators", "observations", "observation_breakdowns",
                       "consistency_rules", "register_lint", "number_coverage", "coverage_summary"]


def test_a_pdf_goes_from_intake_to_a_published_figure_with_its_page(sources_copy, report_pdf,
                                                                    tmp_path):
    import duckdb

    from pipelines.definitions import build_definitions
    from sources.candidates import candidates

    taken_in(sources_copy, report_pdf)
    complete_entry(sources_copy)
    confirm(sources_copy, candidates("005", sources_copy))
    outputs = tmp_path / "outputs"
    defs = build_definitions(outputs, sources_copy)
    job = defs.resolve_job_def("full_refresh")
    from dagster import AssetKey

    result = job.execute_in_process(raise_on_error=False,
                                    asset_selection=[AssetKey(k) for k in OBSERVATIONS_AND_UP])
    assert result.success
    checks = {e.asset_check_key.name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["observations_suite"] and checks["documents_suite"]
    con = duckdb.connect(str(outputs / "build" / "warehouse.duckdb"), read_only=True)
    rows = con.execute("select number_text, page, indicator, period from observations "
                       "where document_id = '005' order by line, \"column\"").fetchall()
    doc = con.execute("select pdf_file, pdf_sha256, pages from documents "
                      "where document_id = '005'").fetchone()
    con.close()
    assert rows == [("163 337", 1, "ris_beneficiaries", "2025"),
                    ("42 118", 1, "ris_beneficiaries", "2024"),
                    ("175", 2, "permanence_contact_moments", "2025")]
    assert doc[0].endswith(".pdf") and doc[2] == 2


def test_the_sensor_asks_for_intake_then_for_the_entry(sources_copy, report_pdf):
    import shutil

    from pipelines.operations import new_documents_evaluation

    _, _, cursor = new_documents_evaluation(sources_copy, None)
    dropped = sources_copy / "documents" / "rapport_2025.pdf"
    shutil.copyfile(report_pdf, dropped)
    requests, messages, cursor = new_documents_evaluation(sources_copy, cursor)
    assert not requests and any(
        f"make intake PDF=sources/documents/{dropped.name}" in m for m in messages)
    entry = intake(dropped, sources_copy)
    assert not dropped.exists() and (sources_copy / "documents" / entry["pdf"]).is_file()
    requests, messages, cursor = new_documents_evaluation(sources_copy, cursor)
    assert not requests and any("document 005 is a draft" in m for m in messages)
    assert not any("make intake PDF=" in m for m in messages)


def test_charts_and_the_quality_report_cite_pages():
    import pandas as pd

    from publication.charts import source_line
    from publication.quality_report import document_pages, render_report

    documents = pd.DataFrame([{
        "document_id": "005", "title": "Rapport annuel 2025", "citation_fr": "SPF Test, Rapport "
        "annuel 2025", "citation_nl": "FOD Test, Jaarverslag 2025", "published": "2026",
        "publisher": "SPF Test", "language": "fr", "sha256": "a" * 64, "pdf_file": "005_x.pdf",
        "pdf_sha256": "b" * 64, "pages": 2}])
    points = pd.DataFrame([{"document_id": "005", "page": 2}, {"document_id": "005", "page": 1}])
    assert source_line(points, [], documents, "fr")[0] == ("Source : SPF Test, Rapport annuel "
                                                           "2025 (2026), p. 1, 2")
    findings = pd.DataFrame([{
        "finding_id": "f1", "rule": "sum", "severity": "warn", "message": "m", "expected": 1.0,
        "actual": 2.0, "difference": 1.0, "tolerance": 0.0, "declared_at": None,
        "role": "total", "document_id": "005", "line": 12, "value": 2.0, "quote": "q",
        "observation_id": "005:12:3"}])
    html = render_report(findings, documents, pd.DataFrame({"document_id": ["005"]}),
                         pages={"005:12:3": 2})
    assert "line 12, page 2 · value" in html
    page = document_pages(documents, lambda d: ["un", "\f", "deux"])["005.html"]
    assert "— page 2 —" in page and "2 pages" in page
