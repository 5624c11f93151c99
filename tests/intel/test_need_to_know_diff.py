"""Differential need-to-know test: what a reader gets from the full store equals what they get
from a store holding only the reports they may see, for every ``intel`` command that reads one."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.model.access import AccessContext, Classification, visible
from tests.intel.helpers import CASE, fill_store
from tests.intel.helpers import reports as case

MORE = (
    "\n".join(
        [
            "f2,2018-03-06T10:00,hour,-3.01,15.02,,attack_on_civilians,2,2,partner,B,2,confidential,"
            "FRA,MINUSMA,partner note,",
            "d1,2018-04-01,day,-2.5,14.5,,armed_group_movement,,,partner,C,3,strictly_confidential,"
            "UN-DPO,MINUSMA;FRA,hq,",
            "m9,2018-03-05T15:00,hour,-3.0,15.0,,attack_on_civilians,9,9,community_alert,F,3,"
            "strictly_confidential,MINUSMA,,CAN,+223 555 0199",
            "u1,2017-06-01,day,-4.0,14.0,,other,1,0,open_source,C,3,unclassified,UN,,press,",
            "u2,2016-06-01,day,-3.5,15.5,,attack_on_civilians,3,3,open_source,C,3,unclassified,UN,,press,",
        ]
    )
    + "\n"
)
READERS = [
    AccessContext.public(),
    AccessContext("MINUSMA", Classification.UNCLASSIFIED),
    AccessContext("MINUSMA", Classification.CONFIDENTIAL),
    AccessContext("MINUSMA", Classification.STRICTLY_CONFIDENTIAL),
    AccessContext("FRA", Classification.CONFIDENTIAL),
    AccessContext("UN-DPO", Classification.STRICTLY_CONFIDENTIAL),
]
COMMANDS = {
    "reports": ["intel", "reports", "--limit", "100"],
    "fuse": ["intel", "fuse", "--out", "{out}"],
    "hotspots": ["intel", "hotspots", "--value", "civilian_deaths", "--out", "{out}/hot.csv"],
    "trends": ["intel", "trends", "--mission", "MINUSMA", "--out", "{out}/trends.csv"],
    "export": ["intel", "export", "--out", "{out}/export.csv"],
}


def _run(store: Path, out: Path, reader: AccessContext) -> dict[str, str]:
    """Every command's terminal output and files, with the store and output paths removed."""
    runner = CliRunner()
    seen: dict[str, str] = {}
    for name, args in COMMANDS.items():
        folder = out / name
        folder.mkdir(parents=True)
        result = runner.invoke(
            app,
            [
                *(a.format(out=folder) for a in args),
                "--store",
                str(store),
                "--org",
                reader.organisation,
                "--clearance",
                reader.clearance.label,
            ],
        )
        assert result.exit_code == 0, (name, result.output)
        text = " ".join(result.output.split())
        seen[name] = text.replace(str(folder), "OUT").replace(str(store), "STORE")
        for file in sorted(folder.iterdir()):
            seen[f"{name}/{file.name}"] = file.read_text()
    return seen


@pytest.mark.parametrize("reader", READERS, ids=lambda r: f"{r.organisation}-{r.clearance.label}")
def test_full_and_reduced_stores_give_identical_outputs(
    tmp_path: Path, reader: AccessContext
) -> None:
    table = case(CASE + MORE).sort_values("owner", kind="stable").reset_index(drop=True)
    full = fill_store(tmp_path / "full", table)
    mine = table.loc[visible(table, reader)].reset_index(drop=True)
    reduced = fill_store(tmp_path / "reduced", mine)
    a = _run(full, tmp_path / "a", reader)
    b = _run(reduced, tmp_path / "b", reader)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == b[key], key
    hidden = set(table["id"]) - set(mine["id"])
    everything = " ".join(a.values())
    for rid in hidden:
        assert f" {rid} " not in everything and f",{rid}," not in everything
