"""SYNTHETIC documents and registers for scale benchmarks: never mixed with the real sources.

    python -m bench.synthetic 100000 /tmp/synthetic_sources

Writes a complete `sources/`-like folder: catalogues copied from the project (vocabulary,
indicators), one synthetic French document per 100 000 figures, and registers in the real format.
Each line states one figure the way the reports do ("... 12 345 bénéficiaires en 2023 ...",
"... 4,7 % ...", "... 2,5 millions d'euros ..."), so the same parser, loader, checks and
derivations run on them. Every document title says SYNTHETIC.
"""
from __future__ import annotations

import hashlib
import random
import shutil
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PER_DOCUMENT = 100_000
REGIONS = ["BE1", "BE2", "BE3"]


def figure_line(rng: random.Random, i: int) -> tuple[str, dict]:
    """One synthetic sentence and its register entry."""
    year = 2000 + i % 25
    region = REGIONS[i % 3]
    kind = i % 3
    if kind == 0:
        value = rng.randint(1000, 999_999)
        text = f"{value:,}".replace(",", " ")
        line = f"Commune synthétique : en {year}, il y avait {text} bénéficiaires."
        entry = {"quote": f"il y avait {text} bénéficiaires", "value": value,
                 "indicator": "arr_ai_beneficiaries", "unit": "count"}
    elif kind == 1:
        value = rng.randint(0, 1000) / 10
        text = f"{value:.1f}".replace(".", ",")
        line = f"Commune synthétique : l'accessibilité téléphonique était de {text} % en {year}."
        entry = {"quote": f"était de {text} %", "value": value, "indicator": "phone_accessibility"}
    else:
        value = rng.randint(10, 9999) / 100
        text = f"{value:.2f}".replace(".", ",")
        line = f"Commune synthétique : les dépenses atteignent {text} millions d'euros en {year}."
        entry = {"quote": f"atteignent {text} millions", "value": round(value * 1e6, 6),
                 "indicator": "synthetic_spending"}
    entry.update(period=str(year), geo=region, breakdown={"synthetic_commune": f"c{i}"})
    return line, entry


def generate(n: int, target: Path, seed: int = 1) -> Path:
    """A sources folder holding `n` synthetic figures."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "documents").mkdir(parents=True)
    (target / "figures").mkdir()
    (target / "indicators").mkdir()
    shutil.copyfile(PROJECT / "sources" / "vocabulary.yaml", target / "vocabulary.yaml")
    shutil.copyfile(PROJECT / "sources" / "indicators" / "core.yaml",
                    target / "indicators" / "core.yaml")
    (target / "indicators" / "synthetic.yaml").write_text(
        "indicators:\n  - code: synthetic_spending\n    family: spending\n    unit: eur\n"
        "    label: {fr: Dépenses synthétiques, nl: Synthetische uitgaven, en: Synthetic spending}\n"
        "    definition: SYNTHETIC spending figures for scale benchmarks.\n", encoding="utf-8")
    catalogue = ["documents:"]
    for d, start in enumerate(range(0, n, PER_DOCUMENT)):
        doc_id = f"S{d:03d}"
        lines, entries = [f"DOCUMENT SYNTHÉTIQUE {doc_id} — données fictives pour les tests de charge"], []
        for i in range(start, min(n, start + PER_DOCUMENT)):
            line, entry = figure_line(rng, i)
            lines.append(line)
            entries.append({"line": len(lines), **entry})
        path = target / "documents" / f"{doc_id}_synthetic.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        catalogue += [f'  - id: "{doc_id}"', f"    file: {path.name}",
                      f"    title: SYNTHETIC document {doc_id}", "    publisher: benchmark",
                      '    period_covered: "2000/2024"', "    kind: synthetic", "    language: fr",
                      '    published: "2025"', f"    sha256: {sha}"]
        write_register(target / "figures" / f"{doc_id}.yaml", doc_id, entries)
    (target / "documents.yaml").write_text("\n".join(catalogue) + "\n", encoding="utf-8")
    return target


def write_register(path: Path, doc_id: str, entries: list[dict]) -> None:
    """The register in the project's format, written line by line (fast for 10^5 entries)."""
    out = [f'document: "{doc_id}"', "figures:"]
    for e in entries:
        out.append(f"  - line: {e['line']}")
        out.append(f'    quote: "{e["quote"]}"')
        out.append(f"    value: {e['value']!r}")
        out.append(f"    indicator: {e['indicator']}")
        out.append(f'    period: "{e["period"]}"')
        out.append(f"    geo: {e['geo']}")
        out.append(f"    breakdown: {{synthetic_commune: {e['breakdown']['synthetic_commune']}}}")
    path.write_text("\n".join(x for x in out if x) + "\ndismissed: []\n", encoding="utf-8")


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
