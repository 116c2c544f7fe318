"""Resources declared once: where outputs go, and the private DuckDB build database."""
from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from dagster_duckdb import DuckDBResource

from pipelines import guard

PROJECT = Path(__file__).resolve().parent.parent


def default_outputs_dir() -> Path:
    """`SESAM_OUTPUTS` if set, else the project's `outputs/` folder."""
    return Path(os.environ.get("SESAM_OUTPUTS", PROJECT / "outputs")).resolve()


def default_sources_dir() -> Path:
    """`SESAM_SOURCES` if set, else the project's `sources/` folder."""
    return Path(os.environ.get("SESAM_SOURCES", PROJECT / "sources")).resolve()


class OutputsResource(ConfigurableResource):
    """Layout of the outputs folder: build database, published warehouse, Parquet, charts.
    A run using it holds the run lock of the folder (pipelines.guard)."""

    root: str

    def setup_for_execution(self, context: InitResourceContext) -> None:
        guard.start_of_run(context, self.path)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        guard.release(self.path)

    @property
    def path(self) -> Path:
        return Path(self.root)

    @property
    def build_db(self) -> Path:
        return self.path / "build" / "warehouse.duckdb"

    @property
    def warehouse(self) -> Path:
        """The published read-only DuckDB file (a link into the current release)."""
        return self.path / "warehouse.duckdb"

    @property
    def parquet(self) -> Path:
        """Published Parquet files (a link into the current release)."""
        return self.path / "parquet"

    @property
    def charts(self) -> Path:
        return self.path / "charts"

    @property
    def quality(self) -> Path:
        return self.path / "quality"

    @property
    def stage(self) -> Path:
        """Where a run prepares parquet/, charts/ and quality/ before publishing them."""
        return self.path / "build" / "stage"

    @property
    def build_charts(self) -> Path:
        """What each chart asset drew, for the gallery (JSON, one file per chart)."""
        return self.path / "build" / "charts"

    @property
    def build_docs(self) -> Path:
        """Great Expectations Data Docs as the checks write them, before publication."""
        return self.path / "build" / "gx_docs"


class BuildDatabase(DuckDBResource):
    """The private DuckDB build database (outputs/build/warehouse.duckdb); a run using it holds
    the run lock of its outputs folder, so two runs never write it at once."""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        guard.start_of_run(context, Path(self.database).parent.parent)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        guard.release(Path(self.database).parent.parent)


class SourcesResource(ConfigurableResource):
    """Where documents, catalogues and registers are read from (default: the project's sources/)."""

    root: str = str(PROJECT / "sources")  # definitions pass default_sources_dir()
    # where checked registers are kept between runs, by the SHA-256 of what they are read from
    # (definitions pass outputs/build/registers/); empty: kept in the run's process only
    cache: str = ""

    def load(self, documents: set[str] | None = None):
        """The checked registers (of some documents, or all), with every document verified;
        bad input fails the step with the loader's one-line message naming the file and entry."""
        from sources.register import load_all

        with _as_failure():
            register = load_all(Path(self.root), documents,
                                Path(self.cache) if self.cache else None)
            register.catalogues.verified()
            return register

    def catalogues(self):
        """The checked catalogues and documents (bad input fails the step, as for `load`)."""
        from sources.register import Catalogues

        with _as_failure():
            return Catalogues(Path(self.root)).verified()

    def place_lists(self, cat) -> list[dict]:
        """The lists of places of sources/place_lists.yaml, checked against the documents of
        the catalogues `cat` (bad input fails the step as for `load`)."""
        from sources.places import load_place_lists

        with _as_failure():
            return load_place_lists(Path(self.root), cat)

    def official_values(self):
        """The official reference values of sources/reference/, checked against their SHA-256
        and the vocabulary (bad input fails the step naming the file and the row)."""
        from sources.official import load_reference

        with _as_failure():
            cat = self.catalogues()
            return load_reference(Path(self.root), cat.indicators, cat.vocabulary["units"],
                                  cat.vocabulary["geos"])


class _as_failure:
    """Turn a RegisterError into a Dagster Failure carrying only its message."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        from dagster import Failure

        from sources.register import RegisterError

        if isinstance(exc, RegisterError):
            raise Failure(description=str(exc), allow_retries=False) from None
        return False
