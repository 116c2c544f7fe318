"""Resources declared once: where outputs go, and the private DuckDB build database."""
from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource

PROJECT = Path(__file__).resolve().parent.parent


def default_outputs_dir() -> Path:
    """`SESAM_OUTPUTS` if set, else the project's `outputs/` folder."""
    return Path(os.environ.get("SESAM_OUTPUTS", PROJECT / "outputs")).resolve()


def default_sources_dir() -> Path:
    """`SESAM_SOURCES` if set, else the project's `sources/` folder."""
    return Path(os.environ.get("SESAM_SOURCES", PROJECT / "sources")).resolve()


class OutputsResource(ConfigurableResource):
    """Layout of the outputs folder: build database, published warehouse, Parquet, charts."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)

    @property
    def build_db(self) -> Path:
        return self.path / "build" / "warehouse.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.path / "warehouse.duckdb"

    @property
    def parquet(self) -> Path:
        """Published Parquet files (a link to the current release)."""
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


class SourcesResource(ConfigurableResource):
    """Where documents, catalogues and registers are read from (default: the project's sources/)."""

    root: str = str(PROJECT / "sources")  # definitions pass default_sources_dir()

    def load(self, documents: set[str] | None = None):
        """The checked registers (of some documents, or all); bad input fails the step with the
        loader's message, which names the file and the entry."""
        from dagster import Failure

        from sources.register import RegisterError, load_all

        try:
            return load_all(Path(self.root), documents)
        except RegisterError as exc:
            raise Failure(description=str(exc), allow_retries=False) from None

    def catalogues(self):
        from sources.register import Catalogues

        return Catalogues(Path(self.root))
