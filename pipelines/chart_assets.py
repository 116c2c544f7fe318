"""One asset per chart of publication/charts.yaml, drawn by one step on all cores, and the
gallery that lists them."""
import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from dagster import (AssetExecutionContext, AssetKey, AssetSpec, Failure, MaterializeResult,
                     MetadataValue, asset, multi_asset)
from dagster_duckdb import DuckDBResource

from pipelines.assets import OWNERS, release_id
from pipelines.metadata import outputs_url
from pipelines.resources import OutputsResource, SourcesResource, default_sources_dir
from pipelines.warehouse import read_table
from publication import charts
from publication.files import write_text
from publication.gallery import gallery_html, write_kit
from sources.register import Catalogues, read_plain_yaml


def chart_labels(sources: SourcesResource) -> dict:
    cat = sources.catalogues()
    vocab = cat.vocabulary
    path = cat.root / "breakdowns.yaml"
    breakdowns = read_plain_yaml(path) if path.is_file() else {}
    towns = cat.places.table[cat.places.table["level"] == "municipality"]
    names = {r.code: {"fr": r.name_fr, "nl": r.name_nl} for r in towns.itertuples()}
    return {"geos": {**names, **vocab["geos"]}, "units": vocab["units"],
            "entities": vocab["entities"], "regions": dict(zip(towns["code"], towns["region"])),
            "breakdowns": breakdowns or {},
            "indicators": {c: ind["label"] for c, ind in cat.indicators.items()}}


def indicator_description(code: str, catalogues) -> str:
    """The catalogue's English label and definition of an indicator, for the UI; a catalogue
    that does not load leaves the code (the `indicators` step then fails with the message), so
    the code location still loads."""
    from sources.register import RegisterError

    try:
        ind = catalogues.indicators.get(code)
    except RegisterError:
        return code
    return f"{ind['label']['en']}: {' '.join(str(ind['definition']).split())}" if ind else code


FORMS = {"line": "a line chart", "columns": "a column chart", "bars": "a bar chart",
         "stacked": "a stacked bar chart", "map": "a map"}


def chart_spec(spec: dict, catalogues) -> AssetSpec:
    """The asset of one chart, drawn in French and Dutch."""
    # The UI renders a description inline (a materialisation's Markdown sits behind a click):
    # the description shows the published chart, served by `make ui`.
    picture = outputs_url(f"charts/{spec['chart_id']}_fr_screen.png")
    return AssetSpec(
        f"chart_{spec['chart_id']}", group_name="publication", deps=["series"],
        kinds={"matplotlib"}, owners=OWNERS, tags={"family": spec["family"]}, skippable=True,
        description=f"Chart `{spec['chart_id']}`, {FORMS[spec['form']]} of "
                    f"{indicator_description(spec['indicator'], catalogues)} PNG (two columns "
                    f"and one column) and SVG with live text in French and Dutch, alt text, long "
                    f"description and a public CSV.\n\n![The published chart]({picture})")


SPECS = charts.load_specs()


_CATALOGUES = Catalogues(default_sources_dir())  # read once for the descriptions of all charts


@multi_asset(name="charts", specs=[chart_spec(spec, _CATALOGUES) for spec in SPECS],
             can_subset=True)
def charts_step(context: AssetExecutionContext, duckdb: DuckDBResource, outputs: OutputsResource,
                sources: SourcesResource):
    """Every selected chart, drawn on all cores (one worker process per core); a chart whose
    data did not change is not redrawn."""
    with duckdb.get_connection() as con:
        data = {n: read_table(con, n) for n in ("series", "indicators", "documents")}
        data["observations"] = con.execute(
            "SELECT observation_id, number_text, page FROM observations").df()
    labels = chart_labels(sources)
    wanted = [s for s in SPECS if AssetKey(f"chart_{s['chart_id']}") in context.selected_asset_keys]
    sidecars = {s["chart_id"]: outputs.build_charts / f"{s['chart_id']}.json" for s in wanted}
    jobs = [(s, data, labels, outputs.stage / "charts",
             json.loads(sidecars[s["chart_id"]].read_text(encoding="utf-8"))
             if sidecars[s["chart_id"]].is_file() else None) for s in wanted]
    # unchanged charts are known without drawing; the others are drawn on all cores
    drawn = [charts.draw_in_worker(job, dry_run=True) for job in jobs]
    todo = [i for i, made in enumerate(drawn) if made is charts.DRAW]
    workers = min(len(todo), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            for i, made in zip(todo, pool.map(charts.draw_in_worker, [jobs[i] for i in todo])):
                drawn[i] = made
    else:
        for i in todo:
            drawn[i] = charts.draw_in_worker(jobs[i])
    context.log.info(f"{len(todo)} of {len(jobs)} charts drawn on {max(workers, 1)} process(es); "
                     f"the others' data did not change")
    errors = []
    for spec, made in zip(wanted, drawn):
        key = AssetKey(f"chart_{spec['chart_id']}")
        if made and "error" in made:
            errors.append(made["error"])
            continue
        yield chart_result(context, key, made, sidecars[spec["chart_id"]], outputs)
    if errors:
        raise Failure(description="; ".join(errors), allow_retries=False)


def chart_result(context, key: AssetKey, made: dict | None, sidecar, outputs) -> MaterializeResult:
    """A chart's materialisation: its thumbnail, titles, alt text and files (or not drawn)."""
    if made is None:
        sidecar.unlink(missing_ok=True)
        return MaterializeResult(asset_key=key, metadata={"drawn": MetadataValue.bool(False)})
    write_text(json.dumps(made), sidecar)
    folder = f"releases/{release_id(context)}/charts"
    return MaterializeResult(asset_key=key, metadata={
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


CHART_KEYS = [f"chart_{spec['chart_id']}" for spec in SPECS]


@asset(group_name="publication", deps=CHART_KEYS, kinds={"html"}, owners=OWNERS,
       description="outputs/charts/index.html: every chart with a large preview that opens full "
                   "size, filters by family, organisation and year, source, years and status, "
                   "French/Dutch switch, download links, and kit.zip of the whole kit.")
def chart_gallery(outputs: OutputsResource, sources: SourcesResource) -> MaterializeResult:
    made = []
    for spec in SPECS:
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
