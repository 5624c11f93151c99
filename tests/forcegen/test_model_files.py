"""The model of a tiny case, family by family, against stored model files (as calliope does).

Every constraint family of :data:`~bluehelmet.forcegen.formulation.FORMULATION` built for
:func:`tiny_case` is compared coefficient by coefficient, with its bounds, with
``tests/forcegen/data/tiny_model/<family>.csv``. A change to the formulation fails here first and
shows which family and which rows changed. After an intended change, regenerate the files and
review their diff::

    python tests/forcegen/test_model_files.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from bluehelmet.forcegen.data import prepare  # noqa: E402
from bluehelmet.forcegen.formulation import build_model  # noqa: E402
from bluehelmet.optimize.linear import LinearModel  # noqa: E402
from bluehelmet.scenario.core import Scenario  # noqa: E402
from tests.forcegen.tiny import pledge, tiny  # noqa: E402

FILES = Path(__file__).parent / "data" / "tiny_model"


def tiny_case() -> Scenario:
    """Two contributors (one limited to one unit), two pledges, a budget and a share cap."""
    s = tiny(
        [
            pledge("A", rotation=4, count=2, women=0.05),
            pledge("B", level="L1", rotation=6, women=0.3),
        ],
        requirement_months=8,
        count=2,
        headroom=1.5e6,
        horizon_months=6,
        max_contributor_share=0.5,
        lift_moves_per_month=1,
        gender_mode="soft",
    )
    s.tables["contributors"]["max_units"] = pd.array([1, pd.NA], dtype="Int64")
    return s


def tiny_model() -> LinearModel:
    """The model of :func:`tiny_case`."""
    d, _ = prepare(tiny_case())
    return build_model(d)


def _text(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col in ("coefficient", "lower", "upper"):
        out[col] = out[col].map(lambda v: f"{v:.9g}")
    return out.astype(str)


def regenerate() -> None:
    """Write the model files of the tiny case (run after an intended formulation change)."""
    FILES.mkdir(parents=True, exist_ok=True)
    for old in FILES.glob("*.csv"):
        old.unlink()
    m = tiny_model()
    for name in m.con_families:
        _text(m.constraint_table(name)).to_csv(
            FILES / f"{name}.csv", index=False, lineterminator="\n"
        )


def test_the_families_are_the_stored_ones() -> None:
    m = tiny_model()
    stored = sorted(p.stem for p in FILES.glob("*.csv"))
    assert sorted(m.con_families) == stored, "run: python tests/forcegen/test_model_files.py"


@pytest.mark.parametrize("family", sorted(p.stem for p in FILES.glob("*.csv")))
def test_each_family_matches_its_model_file(family: str) -> None:
    built = _text(tiny_model().constraint_table(family))
    stored = pd.read_csv(FILES / f"{family}.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(built.reset_index(drop=True), stored, check_dtype=False)


def test_the_tiny_case_exercises_every_family() -> None:
    from bluehelmet.forcegen.formulation import FORMULATION

    m = tiny_model()
    assert len(m.con_families) >= 6 and all(len(f.labels) for f in m.con_families.values())
    assert len(FORMULATION) >= len(m.con_families)


if __name__ == "__main__":
    regenerate()
    print(f"wrote {len(list(FILES.glob('*.csv')))} model files to {FILES}")
