"""Both notebooks run from top to bottom against a fresh run's outputs."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.parametrize("name,expected", [("researchers.ipynb", "242454"),
                                           ("new_report.ipynb", "does not match the quote")])
def test_notebook_runs(name, expected, materialized, monkeypatch):
    outputs, result = materialized
    assert result.success
    monkeypatch.setenv("SESAM_OUTPUTS", str(outputs))
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    shown = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                    for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []))
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert expected in shown.replace(".0", "")
