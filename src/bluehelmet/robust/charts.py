"""Charts of a sweep, drawn from the sweep table alone (``sweep.parquet``)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from bluehelmet.io.write import atomic_file  # noqa: E402

#: What each chart panel shows: figure, axis label, scale.
PANELS = (
    ("unmet_requirement_months", "unmet requirement-months", 1.0),
    ("total_cost_usd", "cost (US$ m)", 1e-6),
    ("women_share", "women's share of personnel-months (%)", 100.0),
)
#: Most lines (combinations of the other axes) drawn with a legend.
MAX_LEGEND = 8


def axis_columns(table: pd.DataFrame) -> list[str]:
    """The sweep's axis columns (between ``key`` and ``status``)."""
    cols = list(table.columns)
    return cols[cols.index("key") + 1 : cols.index("status")]


def sweep_charts(table: pd.DataFrame, folder: Path) -> list[Path]:
    """One PNG per axis: gap, cost and women's share against the axis' values.

    Every other combination of the remaining axes is one line; variants that failed are left
    out of the lines (the table keeps them with their error).
    """
    folder.mkdir(parents=True, exist_ok=True)
    axes = axis_columns(table)
    ok = table[table["error"].fillna("") == ""]
    wide = ok.pivot_table(
        index=["key", *axes], columns="figure", values="value", aggfunc="first"
    ).reset_index()
    paths = []
    for axis in axes:
        others = [a for a in axes if a != axis]
        fig, panels = plt.subplots(1, len(PANELS), figsize=(4.2 * len(PANELS), 3.4))
        order = list(dict.fromkeys(table[axis]))
        numeric = all(isinstance(v, (int, float)) for v in order)
        groups = list(wide.groupby(others, sort=False)) if others else [("all", wide)]
        for (fig_name, label, scale), ax in zip(PANELS, panels, strict=True):
            for name, g in groups:
                g = g.set_index(axis).reindex(order)
                x = order if numeric else range(len(order))
                ax.plot(
                    x,
                    g[fig_name] * scale,
                    marker="o",
                    label=", ".join(
                        f"{o}={v}"
                        for o, v in zip(
                            others, name if isinstance(name, tuple) else (name,), strict=True
                        )
                    )
                    if others
                    else None,
                )
            if not numeric:
                ax.set_xticks(range(len(order)), [str(v) for v in order], rotation=30, ha="right")
            ax.set_xlabel(axis)
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
        if others and len(groups) <= MAX_LEGEND:
            panels[0].legend(fontsize=7)
        fig.suptitle(f"Sweep: plans against {axis}")
        fig.tight_layout()
        path = folder / f"sweep_{axis}.png"
        with atomic_file(path) as tmp:  # a kill leaves the old chart or the new one
            fig.savefig(tmp, dpi=120, format="png")
        plt.close(fig)
        paths.append(path)
    return paths
