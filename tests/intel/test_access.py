"""Need to know: a strictly confidential report never surfaces to a reader without clearance."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from bluehelmet.intel.fusion import fuse
from bluehelmet.intel.hotspots import aggregate, hotspots, mission_trends, unplaced
from bluehelmet.intel.reports import export_table
from bluehelmet.intel.store import read_view
from bluehelmet.model.access import AccessContext, Classification
from tests.intel.helpers import fill_store, view
from tests.intel.helpers import reports as case

SECRET_CELL = 152_999  # PRIO-GRID cell of (-1.0, 16.0): row 212, col 358; only the secret report
READERS = [
    AccessContext.public(),
    AccessContext("MINUSMA", Classification.CONFIDENTIAL),
    AccessContext("MINUSMA", Classification.STRICTLY_CONFIDENTIAL),
    AccessContext("FRA", Classification.CONFIDENTIAL),
]
OWNER = AccessContext("FRA", Classification.STRICTLY_CONFIDENTIAL)


def _store(tmp_path: Path) -> Path:
    return fill_store(tmp_path, case())


def test_lists_and_counts(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for reader in READERS:
        shown = read_view(store, reader).reports
        assert "s1" not in set(shown["id"])
        assert len(shown) == (3 if reader.organisation == "MINUSMA" else 2)
    assert "s1" in set(read_view(store, OWNER).reports["id"])


def test_incidents_hotspots_and_trends() -> None:
    table = case()
    missions = pd.DataFrame({"id": ["MINUSMA"], "host_iso3": ["MLI"]})
    for reader in READERS:
        seen = view(table, reader)
        inc = fuse(seen).incidents
        assert not inc["report_ids"].str.contains("s1").any()
        assert inc["civilian_deaths"].max() < 40
        agg = aggregate(seen, period="all")
        assert SECRET_CELL not in set(agg["gid"])
        assert agg["civilian_deaths"].sum() < 40
        hot = hotspots(seen, value="civilian_deaths")
        assert hot.loc[hot["gid"] == SECRET_CELL, "value"].sum() == 0
        assert unplaced(seen) == 0
        trend = mission_trends(seen, missions)
        assert trend["reports"].sum() == (3 if reader.organisation == "MINUSMA" else 2)
    assert SECRET_CELL in set(aggregate(view(table, OWNER), period="all")["gid"])


def test_early_warning_inputs() -> None:
    from bluehelmet.intel.early_warning import risk_inputs

    table = case()
    for reader in READERS:
        events = risk_inputs(view(table, reader))
        assert events["deaths_civilians"].sum() < 40
        assert not ((events["longitude"] == -1.0) & (events["latitude"] == 16.0)).any()
    owner = risk_inputs(view(table, OWNER))
    assert owner["deaths_civilians"].max() == 40


def test_protected_reporter_identity_stays_with_owner(tmp_path: Path) -> None:
    store = _store(tmp_path)
    own = read_view(store, AccessContext("MINUSMA", Classification.CONFIDENTIAL)).reports
    assert own.set_index("id").loc["v1", "reporter_contact"] == "+223 555 0101"
    released = case()
    released["releasable_to"] = pd.array(["UN-DPO"] * len(released), dtype="string")
    other = fuse(view(released, AccessContext("UN-DPO", Classification.CONFIDENTIAL))).reports
    assert "v1" in set(other["id"]) and other["reporter_contact"].isna().all()
    assert "reporter_contact" not in export_table(own).columns


def test_cli_outputs_hide_the_secret(tmp_path: Path) -> None:
    store = _store(tmp_path)
    runner = CliRunner()
    for reader in READERS:
        args = ["--org", reader.organisation, "--clearance", reader.clearance.label]
        listing = runner.invoke(app, ["intel", "reports", "--store", str(store), *args])
        assert listing.exit_code == 0, listing.output
        assert "s1" not in listing.output and "FRA" not in listing.output
        out = tmp_path / reader.organisation / reader.clearance.label
        fused = runner.invoke(
            app, ["intel", "fuse", "--store", str(store), "--out", str(out), *args]
        )
        assert fused.exit_code == 0, fused.output
        exported = (out / "incidents.csv").read_text() + (out / "incident_links.csv").read_text()
        assert "s1" not in exported and "555" not in exported
        hs = runner.invoke(
            app,
            [
                "intel",
                "hotspots",
                "--store",
                str(store),
                "--value",
                "civilian_deaths",
                "--out",
                str(out / "hot.csv"),
                *args,
            ],
        )
        assert hs.exit_code == 0, hs.output
        hot = pd.read_csv(out / "hot.csv")
        assert hot.loc[hot["gid"] == SECRET_CELL, "value"].sum() == 0


def test_cli_trends_count_only_visible_reports(tmp_path: Path) -> None:
    store = _store(tmp_path)
    runner = CliRunner()
    public = runner.invoke(
        app,
        [
            "intel",
            "trends",
            "--store",
            str(store),
            "--mission",
            "MINUSMA",
            "--org",
            "public",
            "--clearance",
            "unclassified",
        ],
    )
    owner = runner.invoke(
        app,
        [
            "intel",
            "trends",
            "--store",
            str(store),
            "--mission",
            "MINUSMA",
            "--org",
            "MINUSMA",
            "--clearance",
            "confidential",
        ],
    )
    assert public.exit_code == 0 and owner.exit_code == 0, public.output + owner.output
    assert "│ 2 " in public.output and "│ 3 " in owner.output
