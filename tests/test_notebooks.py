"""The worked notebooks in docs/notebooks run from top to bottom (a real Jupyter kernel)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "docs" / "notebooks"


def test_the_2018_notebook_runs(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOKS / "2018.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = {
        i: "".join(
            str(o.get("data", {}).get("text/plain", o.get("text", "")))
            for o in cell.get("outputs", [])
        )
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
    }
    text = "\n".join(outputs.values())
    assert "Plan of scenario '2018'" in text
    assert "share_covered" in text and "MINUSMA" in text
    assert "datetime64" in text  # dates are dates
    assert (tmp_path / "coverage_2018.png").stat().st_size > 1000


def test_the_api_reference_is_current() -> None:
    import subprocess
    import sys

    tool = Path(__file__).resolve().parents[1] / "tools" / "gen_api_docs.py"
    res = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
