"""One asset per chart of publication/charts.yaml, and the gallery that lists them."""
import json

import yaml
from dagster import AssetsDefinition, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from pipelines.assets import OWNERS, release_id
from pipelines.metadata import outputs_url
from pipelines.resources import OutputsResource, SourcesResource
from pipelines.warehouse import read_table
from publication import charts
from publication.files import write_text
from publication.gallery import gallery_html, write_kit


def chart_labels(sources: SourcesResource) -> dict:
    cat = sources.catalogues()
    vocab = cat.vocabulary
    path = cat.root / "breakdowns.yaml"
    breakdowns = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    towns = cat.places.table[cat.places.table["level"] == "municipality"]
    names = {r.code: {"fr": r.name_fr, "nl": r.name_nl} for r in towns.itertuples()}
    return {"geos": {**names, **vocab["geos"]}, "units": vocab["units"],
            "entities": vocab["entities"], "regions": dict(zip(towns["code"], towns["region"])),
            "breakdowns": breakdowns or {},
            "indicators": {c: ind["label"] for c, ind in cat.indicators.items()}}


def indicator_description(code: str) -> str:
    """The catalogue's English label and definition of an indicator, for the UI; a catalogue
    that does not load leaves the code (the `indicators` step then fails with the message), so
    the code location still loads."""
    from pipelines.resources import default_sources_dir
    from sources.register import Catalogues, RegisterError

    try:
        ind = Catalogues(default_sources_dir()).indicators.get(code)
    except RegisterError:
        return code
    return f"{ind['label']['en']}: {' '.join(str(ind['definition']).split())}" if ind else code


FORMS = {"line": "a line chart", "columns": "a column chart", "bars": "a bar chart",
         "stacked": "a stacked bar chart", "map": "a map"}


def chart_asset(spec: dict) -> AssetsDefinition:
    """The asset drawing one chart in French and Dutch."""
    # The UI renders a description inline (a materialisation's Markdown sits behind a click):
    # the description shows the published chart, served by `make ui`.
    picture = outputs_url(f"charts/{spec['chart_id']}_fr_screen.png")
    @asset(name=f"chart_{spec['chart_id']}", group_name="publication", deps=["series"],
           kinds={"matplotlib"}, owners=OWNERS, tags={"family": spec["family"]},
           description=f"Chart `{spec['chart_id']}`, {FORMS[spec['form']]} of "
                       f"{indicator_description(spec['indicator'])} PNG (two columns and one "
                       f"column) and SVG with live text in French and Dutch, alt text, long "
                       f"description and a public CSV.\n\n![The published chart]({picture})")
    def _chart(context, duckdb: DuckDBResource, outputs: OutputsResource,
               sources: SourcesResource) -> MaterializeResult:
        with duckdb.get_connection() as con:
            data = {n: read_table(con, n) for n in ("series", "indicators", "documents")}
            data["observations"] = con.execute(
                "SELECT observation_id, number_text, page FROM observations").df()
        sidecar = outputs.build_charts / f"{spec['chart_id']}.json"
        previous = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else None
        made = charts.render_chart(spec, data["series"], data["observations"],
                                   data["indicators"], data["documents"], chart_labels(sources),
                                   outputs.stage / "charts", previous)
        if made is None:
            sidecar.unlink(missing_ok=True)
            return MaterializeResult(metadata={"drawn": MetadataValue.bool(False)})
        write_text(json.dumps(made), sidecar)
        folder = f"releases/{release_id(context)}/charts"
        return MaterializeResult(metadata={
            "chart": MetadataValue.md(made["thumbnail"]),
            "drawn": MetadataValue.bool(True),
            "redrawn": MetadataValue.bool(made["redrawn"]),
            "title_fr": MetadataValue.text(made["texts"]["fr"]["title"]),
            "title_nl": MetadataValue.text(made["texts"]["nl"]["title"]),
            "alt_fr": MetadataValue.text(made["texts"]["fr"]["alt"]),
            **{f"file {kind}": MetadataValue.url(outputs_url(f"{folder}/{name}"))
               for kind, name in made["files"].items()
               if kind in ("png_fr", "png_nl", "svg_fr", "svg_nl", "csv")},
            "png_fr_path": MetadataValue.path(str(outputs.charts / made["files"]["png_fr"]))})

    return _chart


CHART_ASSETS = [chart_asset(spec) for spec in charts.load_specs()]


@asset(group_name="publication", deps=CHART_ASSETS, kinds={"html"}, owners=OWNERS,
       description="outputs/charts/index.html: every chart with a large preview that opens full "
                   "size, filters by family, organisation and year, source, years and status, "
                   "French/Dutch switch, download links, and kit.zip of the whole kit.")
def chart_gallery(outputs: OutputsResource, sources: SourcesResource) -> MaterializeResult:
    made = []
    for spec in charts.load_specs():
        sidecar = outputs.build_charts / f"{spec['chart_id']}.json"
        if sidecar.is_file():
            made.append(json.loads(sidecar.read_text(encoding="utf-8")))
    write_text(gallery_html(made, sources.catalogues().vocabulary["entities"]),
               outputs.stage / "charts" / "index.html")
    write_kit(made, outputs.stage / "charts")
    return MaterializeResult(metadata={
        "charts": MetadataValue.int(len(made)),
        "families": MetadataValue.json(sorted({m["family"] for m in made})),
        "gallery": MetadataValue.url(outputs_url("charts/index.html")),
        "kit": MetadataValue.url(outputs_url("charts/kit.zip")),
        "index": MetadataValue.path(str(outputs.charts / "index.html"))})
