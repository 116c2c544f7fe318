"""outputs/charts/index.html: the chart kit by family, in French or Dutch, with alt text and files."""
from __future__ import annotations

from html import escape

FAMILY_NAMES = {
    "beneficiaries": ("Bénéficiaires", "Gerechtigden"), "applications": ("Demandes et décisions", "Aanvragen en beslissingen"),
    "delays": ("Délais de traitement", "Behandelingstermijnen"), "complaints": ("Plaintes", "Klachten"),
    "contacts": ("Contacts", "Contacten"), "spending": ("Dépenses", "Uitgaven"),
    "budget": ("Budgets", "Begrotingen"), "poverty": ("Pauvreté", "Armoede"),
    "staff": ("Personnel", "Personeel"), "other": ("Autres", "Andere"),
}
STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:75rem}
nav button{font-size:1rem;margin-right:.5rem;padding:.3rem .8rem}
nav button[aria-pressed=true]{background:#0072B2;color:#fff;border-color:#0072B2}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:1.2rem}
figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:.6rem}
figure img{width:100%;height:auto}
figcaption{font-size:.85rem;color:#444}
[data-lang]{display:none} body.fr [data-lang=fr], body.nl [data-lang=nl]{display:block}
"""
SCRIPT = """
function setLang(lang){
  document.body.className = lang;
  document.documentElement.lang = lang;
  document.querySelectorAll('nav button').forEach(function(b){
    b.setAttribute('aria-pressed', b.dataset.set === lang ? 'true' : 'false');
  });
}
document.querySelectorAll('nav button').forEach(function(b){
  b.addEventListener('click', function(){ setLang(b.dataset.set); });
});
setLang(location.hash === '#nl' ? 'nl' : 'fr');
"""


def gallery_html(charts: list[dict]) -> str:
    """The gallery page; every text is escaped."""
    parts = ["<!doctype html><html lang='fr'><head><meta charset='utf-8'>",
             "<link rel='icon' href='data:,'>",
             "<title>Graphiques — Grafieken</title>", f"<style>{STYLE}</style></head>",
             "<body class='fr'><h1>Graphiques · Grafieken</h1>",
             "<nav><button type='button' data-set='fr'>Français</button>"
             "<button type='button' data-set='nl'>Nederlands</button></nav>"]
    for family, (fr, nl) in FAMILY_NAMES.items():
        members = [c for c in charts if c["family"] == family]
        if not members:
            continue
        parts.append(f"<section id='{family}'><h2><span data-lang='fr'>{escape(fr)}</span>"
                     f"<span data-lang='nl'>{escape(nl)}</span></h2><div class='grid'>")
        for chart in members:
            for lang in ("fr", "nl"):
                texts, files = chart["texts"][lang], chart["files"]
                parts.append(
                    f"<figure data-lang='{lang}' id='{escape(chart['chart_id'])}-{lang}'>"
                    f"<img src='{escape(files['png_' + lang])}' alt='{escape(texts['alt'])}' "
                    f"loading='lazy'>"
                    f"<figcaption><p>{escape(texts['alt'])}</p><p>"
                    f"<a href='{escape(files['png_' + lang])}' download>PNG</a> · "
                    f"<a href='{escape(files['svg_' + lang])}' download>SVG</a> · "
                    f"<a href='{escape(files['alt_' + lang])}' download>"
                    f"{'texte alternatif' if lang == 'fr' else 'alternatieve tekst'}</a> · "
                    f"<a href='{escape(files['csv'])}' download>"
                    f"{'données' if lang == 'fr' else 'gegevens'} (CSV)</a></p>"
                    f"</figcaption></figure>")
        parts.append("</div></section>")
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    return "\n".join(parts)
