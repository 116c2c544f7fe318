"""outputs/charts/index.html: the chart kit for communication staff, in French or Dutch.

Large previews that open full size, filters by family, organisation and year, each chart's source,
years and status, its files (PNG for two columns and one column, SVG with live text, alt text,
long description, CSV), and the whole kit as one zip (kit.zip, with the font and its licence).
"""
from __future__ import annotations

import shutil
import zipfile
from html import escape
from pathlib import Path

from publication.files import atomic_path

FAMILY_NAMES = {
    "beneficiaries": ("Bénéficiaires", "Gerechtigden"),
    "applications": ("Demandes et décisions", "Aanvragen en beslissingen"),
    "delays": ("Délais de traitement", "Behandelingstermijnen"),
    "complaints": ("Plaintes", "Klachten"), "contacts": ("Contacts", "Contacten"),
    "spending": ("Dépenses", "Uitgaven"), "budget": ("Budgets", "Begrotingen"),
    "poverty": ("Pauvreté", "Armoede"), "staff": ("Personnel", "Personeel"),
    "other": ("Autres", "Andere"), "places": ("Territoires", "Gebieden"),
}
UI = {"fr": {"all": "tous", "family": "Thème", "entity": "Organisation", "year": "Année",
             "national": "statistique nationale", "kit": "Télécharger tout le kit (zip)",
             "png": "PNG 2 colonnes", "png1": "PNG 1 colonne", "svg": "SVG (texte modifiable)",
             "alt": "texte alternatif", "long": "description longue", "csv": "données (CSV)",
             "source": "Source", "years": "Années", "status": "Statut", "close": "Fermer",
             "enlarge": "Agrandir", "shown": "graphiques affichés", "none": "aucun"},
      "nl": {"all": "alle", "family": "Thema", "entity": "Organisatie", "year": "Jaar",
             "national": "nationale statistiek", "kit": "De hele kit downloaden (zip)",
             "png": "PNG 2 kolommen", "png1": "PNG 1 kolom", "svg": "SVG (bewerkbare tekst)",
             "alt": "alternatieve tekst", "long": "lange beschrijving", "csv": "gegevens (CSV)",
             "source": "Bron", "years": "Jaren", "status": "Status", "close": "Sluiten",
             "enlarge": "Vergroten", "shown": "grafieken getoond", "none": "geen"}}
STYLE = """
@font-face{font-family:'Source Sans Pro';src:url('fonts/SourceSansPro-Regular.ttf')}
@font-face{font-family:'Source Sans Pro';font-weight:600;src:url('fonts/SourceSansPro-Semibold.ttf')}
@font-face{font-family:'Source Sans Pro';font-weight:700;src:url('fonts/SourceSansPro-Bold.ttf')}
body{font-family:'Source Sans Pro',system-ui,sans-serif;margin:1.5rem auto;color:#1a1a1a;max-width:90rem;padding:0 1rem}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;margin-bottom:1rem}
header h1{margin:0 1rem 0 0;font-size:1.6rem}
label{font-size:.9rem;display:flex;flex-direction:column}
select,button{font:inherit;padding:.25rem .5rem;max-width:24rem}
.lang button[aria-pressed=true]{background:#0072B2;color:#fff;border-color:#0072B2}
.kit{font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(34rem,100%),1fr));gap:1.5rem}
figure{margin:0;border:1px solid #d9d9d9;border-radius:6px;padding:.8rem;background:#fff}
figure button.enlarge{border:0;padding:0;background:none;cursor:zoom-in;width:100%;max-width:none}
figure img{width:100%;height:auto;display:block}
figcaption{font-size:.9rem;color:#333;margin-top:.5rem}
figcaption dl{display:grid;grid-template-columns:auto 1fr;gap:.15rem .6rem;margin:.3rem 0}
figcaption dt{color:#595959}
figcaption dd{margin:0}
.files{display:flex;flex-wrap:wrap;gap:.3rem .9rem}
.files a{white-space:nowrap}
[data-lang]{display:none}
body.fr [data-lang=fr]{display:block} body.nl [data-lang=nl]{display:block}
body.fr span[data-lang=fr],body.nl span[data-lang=nl],body.fr option[data-lang=fr],body.nl option[data-lang=nl]{display:inline}
figure.filtered{display:none !important}
dialog{max-width:95vw;max-height:95vh;padding:.5rem;border:0;border-radius:6px}
dialog img{max-width:92vw;max-height:85vh;display:block}
dialog::backdrop{background:rgba(0,0,0,.6)}
.count{font-size:.9rem;color:#595959}
"""
SCRIPT = """
var body = document.body;
function setLang(lang){
  body.className = lang;
  document.documentElement.lang = lang;
  document.querySelectorAll('.lang button').forEach(function(b){
    b.setAttribute('aria-pressed', b.dataset.set === lang ? 'true' : 'false');
  });
  applyFilters();
}
function applyFilters(){
  var family = document.getElementById('f-family').value,
      entity = document.getElementById('f-entity').value,
      year = document.getElementById('f-year').value, shown = 0;
  document.querySelectorAll('figure[data-chart]').forEach(function(f){
    var keep = (!family || f.dataset.family === family) && (!entity || f.dataset.entity === entity)
      && (!year || f.dataset.years.split(' ').indexOf(year) >= 0);
    f.classList.toggle('filtered', !keep);
    if (keep && f.dataset.lang === body.className) { shown += 1; }
  });
  document.getElementById('count').textContent = shown;
}
document.querySelectorAll('.lang button').forEach(function(b){
  b.addEventListener('click', function(){ setLang(b.dataset.set); });
});
['f-family', 'f-entity', 'f-year'].forEach(function(id){
  document.getElementById(id).addEventListener('change', applyFilters);
});
var dialog = document.getElementById('zoom'), zoomed = document.getElementById('zoomed');
document.querySelectorAll('button.enlarge').forEach(function(b){
  b.addEventListener('click', function(){
    var img = b.querySelector('img');
    zoomed.src = img.src; zoomed.alt = img.alt; dialog.showModal();
  });
});
document.getElementById('close').addEventListener('click', function(){ dialog.close(); });
dialog.addEventListener('click', function(e){ if (e.target === dialog) { dialog.close(); } });
setLang(location.hash === '#nl' ? 'nl' : 'fr');
"""


def _both(fr: str, nl: str) -> str:
    return f"<span data-lang='fr'>{escape(fr)}</span><span data-lang='nl'>{escape(nl)}</span>"


def gallery_html(charts: list[dict], entities: dict | None = None) -> str:
    """The gallery page; every text is escaped."""
    entities = entities or {}
    years = sorted({y for c in charts for y in c.get("years", [])})
    used_entities = sorted({c.get("entity", "") for c in charts})
    parts = ["<!doctype html><html lang='fr'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             "<link rel='icon' href='data:,'>",
             "<title>Graphiques — Grafieken</title>", f"<style>{STYLE}</style></head>",
             "<body class='fr'><header><h1>Graphiques · Grafieken</h1>",
             "<div class='lang'><button type='button' data-set='fr'>Français</button> "
             "<button type='button' data-set='nl'>Nederlands</button></div>",
             f"<label>{_both(UI['fr']['family'], UI['nl']['family'])}<select id='f-family'>"
             f"<option value=''>{escape(UI['fr']['all'])} · {escape(UI['nl']['all'])}</option>"]
    for family, (fr, nl) in FAMILY_NAMES.items():
        if any(c["family"] == family for c in charts):
            parts.append(f"<option value='{escape(family)}'>{escape(fr)} · {escape(nl)}</option>")
    parts.append(f"</select></label><label>{_both(UI['fr']['entity'], UI['nl']['entity'])}"
                 f"<select id='f-entity'><option value=''>{escape(UI['fr']['all'])} · "
                 f"{escape(UI['nl']['all'])}</option>")
    for code in used_entities:
        name = entities.get(code, {}) if code else {"fr": UI["fr"]["national"],
                                                    "nl": UI["nl"]["national"]}
        parts.append(f"<option value='{escape(code)}'>{escape(name.get('fr', code))} · "
                     f"{escape(name.get('nl', code))}</option>")
    parts.append(f"</select></label><label>{_both(UI['fr']['year'], UI['nl']['year'])}"
                 f"<select id='f-year'><option value=''>{escape(UI['fr']['all'])} · "
                 f"{escape(UI['nl']['all'])}</option>")
    parts += [f"<option value='{escape(y)}'>{escape(y)}</option>" for y in years]
    parts.append(f"</select></label><a class='kit' href='kit.zip' download>"
                 f"{_both(UI['fr']['kit'], UI['nl']['kit'])}</a>"
                 f"<span class='count'><span id='count'></span> "
                 f"{_both(UI['fr']['shown'], UI['nl']['shown'])}</span></header>"
                 "<div class='grid'>")
    for chart in charts:
        for lang in ("fr", "nl"):
            parts.append(_figure(chart, lang, entities))
    parts.append(f"</div><dialog id='zoom'><img id='zoomed' alt=''><p><button type='button' "
                 f"id='close'>{_both(UI['fr']['close'], UI['nl']['close'])}</button></p></dialog>"
                 f"<script>{SCRIPT}</script></body></html>")
    return "\n".join(parts)


def _figure(chart: dict, lang: str, entities: dict) -> str:
    ui, texts, files = UI[lang], chart["texts"][lang], chart["files"]
    entity = chart.get("entity", "")
    organisation = entities.get(entity, {}).get(lang, entity) if entity else ui["national"]
    statuses = chart.get(f"statuses_{lang}") or []
    links = [("png_" + lang, ui["png"]), ("png_" + lang + "_1col", ui["png1"]),
             ("svg_" + lang, ui["svg"]), ("alt_" + lang, ui["alt"]),
             ("long_" + lang, ui["long"]), ("csv", ui["csv"])]
    return (f"<figure data-chart='{escape(chart['chart_id'])}' data-lang='{lang}' "
            f"data-family='{escape(chart['family'])}' data-entity='{escape(entity)}' "
            f"data-years='{escape(' '.join(chart.get('years', [])))}' "
            f"id='{escape(chart['chart_id'])}-{lang}'>"
            f"<button type='button' class='enlarge' title='{escape(ui['enlarge'])}'>"
            f"<img src='{escape(files['png_' + lang])}' alt='{escape(texts['alt'])}' "
            f"loading='lazy'></button><figcaption><dl>"
            f"<dt>{escape(ui['source'])}</dt><dd>{escape(texts.get('citations', texts['source']))}</dd>"
            f"<dt>{escape(ui['entity'])}</dt><dd>{escape(organisation)}</dd>"
            f"<dt>{escape(ui['years'])}</dt><dd>{escape(', '.join(chart.get('years', [])))}</dd>"
            f"<dt>{escape(ui['status'])}</dt><dd>{escape(', '.join(statuses) or ui['none'])}</dd>"
            f"</dl><p class='files'>"
            + "".join(f"<a href='{escape(files[k])}' download>{escape(label)}</a>"
                      for k, label in links if k in files)
            + "</p></figcaption></figure>")


def _kit_compression(name: str) -> int:
    """PNG files are compressed already: stored as they are (deflating them again costs time
    and saves nothing); text, SVG, CSV and fonts deflated."""
    return zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED


def write_kit(charts: list[dict], folder: Path) -> Path:
    """kit.zip of every chart file, the font (Source Sans Pro) and its licence, built beside
    the gallery and replaced atomically."""
    import font_source_sans_pro

    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    source = Path(font_source_sans_pro.font_directory)
    for name in ("SourceSansPro-Regular.ttf", "SourceSansPro-Semibold.ttf",
                 "SourceSansPro-Bold.ttf", "SourceSansPro-It.ttf", "LICENSE.txt"):
        shutil.copyfile(source / name, fonts / name)
    target = folder / "kit.zip"
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as kit:
            for chart in charts:
                for name in sorted(set(chart["files"].values())):
                    kit.write(folder / name, f"charts/{name}", _kit_compression(name))
            for font in sorted(fonts.iterdir()):
                kit.write(font, f"fonts/{font.name}", _kit_compression(font.name))
    return target
