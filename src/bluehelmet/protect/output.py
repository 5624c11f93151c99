"""Writing a protection analysis: its tables as CSV, ``summary.json`` and the coverage map."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from bluehelmet.model.marking import stamp
from bluehelmet.output import write_folder
from bluehelmet.protect.outputs import OUTPUTS
from bluehelmet.protect.planning import ProtectionAnalysis, coverage_table
from bluehelmet.protect.plot import coverage_map
from bluehelmet.protect.requirements import requirements_text


def analysis_tables(analysis: ProtectionAnalysis) -> dict[str, pd.DataFrame]:
    """The analysis's result tables, checked against ``protect/outputs.csv`` (declared dtypes).

    Raises
    ------
    bluehelmet.outputs.OutputTableError
        If a table lacks a declared column, has an undeclared one or a value of the wrong type.
    """
    built = {
        "deployment_today": analysis.today.deployment,
        "deployment_proposed": analysis.proposed.deployment,
        "coverage": coverage_table(analysis),
        "coverage_curve": analysis.curve,
        "marginal": analysis.marginal,
        "recommended": analysis.recommended,
        "uncovered_high_risk": analysis.uncovered,
        "sites": analysis.problem.sites,
    }
    return {name: OUTPUTS.conform(name, table) for name, table in built.items()}


def write_outputs(
    analysis: ProtectionAnalysis, out: str | Path, *, plot: bool = True
) -> list[Path]:
    """Write the analysis to ``out``: CSV tables, ``requirements.csv``, ``summary.json``, map.

    The tables are the declared ones (:func:`analysis_tables`); they and the summary go through
    the one result writer
    (:func:`bluehelmet.output.write_folder`, atomic); the map is drawn after them. Every file,
    the map too, gets the analysis's marking sidecar.
    """
    tables = {**analysis_tables(analysis), "requirements": requirements_text(analysis.requirements)}
    summary = analysis.summary()
    summary["generated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    summary["marking"] = analysis.marking.label
    source = f"protection analysis {analysis.mission_id}"
    folder = write_folder(
        out,
        tables,
        {"summary": summary},
        marking=analysis.marking,
        reader=analysis.reader,
        source=source,
    )
    written = [folder / f"{name}.csv" for name in tables] + [folder / "summary.json"]
    if plot:
        written.append(coverage_map(analysis, folder / "coverage_map.png"))
        stamp(folder, analysis.marking, [written[-1]], reader=analysis.reader, source=source)
    return written
