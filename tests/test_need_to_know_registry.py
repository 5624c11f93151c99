"""The need-to-know registry: every public read path against one planted secret.

A copy of the tiny brief scenario gets a confidential mission (with an unclassified requirement,
deployment and budget hanging off it: the reference closure must hide those too) and a
confidential pledge; a report store gets a confidential report and a report released to MINUSMA
whose protected reporter contact only its owner may see. Every distinctive value contains
``SECRET``. Each read path (library and command line) runs as readers who may not see them, and
the test fails if any printed output, error, audit line or written file contains the marker,
or if a count differs from the same command on a copy holding only what the reader may see.

A new read path (command, library entry point, or later the platform's views and API) gets a
line here.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluehelmet.brief.make import make_brief
from bluehelmet.cli.main import app
from bluehelmet.forcegen import PlanOptions, plan
from bluehelmet.model.access import AccessContext, Classification
from bluehelmet.model.marking import read_marking
from bluehelmet.scenario.core import ScenarioView
from bluehelmet.scenario.io import load_scenario, save_scenario
from bluehelmet.statistics import gender, geography, money, provenance
from bluehelmet.statistics import scenario as stats

TINY = Path(__file__).parent / "brief" / "data" / "tiny"
MARK = "SECRET"
PUBLIC = AccessContext.public()
MISSION_CONF = AccessContext("MINUSMA", Classification.CONFIDENTIAL)
OWNER = AccessContext("UN-DPO", Classification.CONFIDENTIAL)
#: No reader configured in the environment: the commands must fall back to the public reader.
ENV = {
    "BLUEHELMET_ORG": None,
    "BLUEHELMET_CLEARANCE": None,
    "COLUMNS": "200",
    # the report store seals reporter contacts with a key held outside it (a test key here)
    "BLUEHELMET_STORE_KEY": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
}

REPORTS = (
    "id,time,time_precision,longitude,latitude,place_name,category,fatalities,civilian_deaths,"
    "source_type,reliability,credibility,classification,owner,releasable_to,source,"
    "description,reporter_contact\n"
    "open-1,2018-03-05,day,-3.0,15.0,,attack_on_civilians,2,2,patrol,B,2,unclassified,"
    "MINUSMA,,patrol log,an open report,\n"
    "open-2,2018-03-06,day,-3.01,15.0,,attack_on_civilians,1,1,patrol,B,2,unclassified,"
    "MINUSMA,,patrol log,another open report,\n"
    "SECRET-R1,2018-03-05,day,-3.0,15.02,,attack_on_civilians,9,9,partner,A,1,confidential,"
    "UN-DPO,,SECRET-source,SECRET-description,\n"
    "rel-1,2018-03-07,day,-2.5,15.5,,displacement,,,community_alert,C,3,confidential,UN-DPO,"
    "MINUSMA,community network,released to the mission,SECRET-contact +223 555 0199\n"
)


def _plant(folder: Path) -> None:
    """Add the secret records to the scenario copy in ``folder``."""
    s = load_scenario(folder)

    def add(table: str, row: dict[str, object]) -> None:
        t = s.tables[table]
        new = (
            {c: pd.NA for c in t.columns}
            | {"releasable_to": (), "basis": "illustrative", "source": "SECRET-source"}
            | row
        )
        s.tables[table] = pd.concat(
            [t, pd.DataFrame([new]).astype(t.dtypes.to_dict())], ignore_index=True
        )

    mission = s.missions.iloc[0].to_dict() | {
        "id": "SECRET-M",
        "name": "SECRET mission",
        "classification": "confidential",
        "owner": "UN-DPO",
        "releasable_to": (),
        "hq_location": "SECRET-town",
    }
    add("missions", mission)
    req = s.requirements.iloc[0].to_dict() | {
        "id": "SECRET-REQ",
        "mission_id": "SECRET-M",
        "count": 7,
        "classification": "unclassified",
    }
    add("requirements", req)
    dep = s.deployments.iloc[0].to_dict() | {
        "id": "SECRET-DEP",
        "mission_id": "SECRET-M",
        "men": 4711,
    }
    add("deployments", dep)
    pledge = s.pledges.iloc[0].to_dict() | {
        "id": "SECRET-PLEDGE",
        "classification": "confidential",
        "owner": "UN-DPO",
        "releasable_to": ("UN-DOS",),
        "national_restrictions": "SECRET-caveat",
        "count": 47,
    }
    add("pledges", pledge)
    assert s.validate() == []
    save_scenario(s, folder)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("ntk")
    full = root / "full"
    shutil.copytree(TINY, full)
    _plant(full)
    runner = CliRunner()
    reports = root / "reports.csv"
    reports.write_text(REPORTS, "utf-8")
    store = root / "store"
    # each owner imports its own reports (write rights); the other owner's rows are refused
    for owner in ("MINUSMA", "UN-DPO"):
        res = runner.invoke(
            app,
            [
                "intel",
                "import",
                str(reports),
                "--store",
                str(store),
                "--org",
                owner,
                "--clearance",
                "strictly_confidential",
                "--rejects",
                str(root / f"{owner}.rejects.csv"),
            ],
            env=ENV,
        )
        assert res.exit_code == 1 and "2 report(s) added" in res.output, res.output
    # A damaged copy: the hidden pledge's count is not a number. Its owner must hear of it;
    # nobody else may (the message would quote the hidden value).
    damaged = root / "damaged"
    shutil.copytree(full, damaged)
    pledges = (damaged / "pledges.csv").read_text("utf-8")
    (damaged / "pledges.csv").write_text(pledges.replace(",47,", ",SECRET-47,"), "utf-8")
    risk = root / "risk.csv"
    risk.write_text("gid,longitude,latitude,risk\n1,-3.25,15.25,1.0\n", "utf-8")
    yield {"root": root, "full": full, "store": store, "risk": risk, "damaged": damaged}


def _files_text(folder: Path) -> str:
    return "\n".join(
        p.read_text("utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".csv", ".json", ".txt", ".html", ".toml")
    )


def _reader_args(reader: AccessContext) -> list[str]:
    return (
        []
        if reader == PUBLIC
        else ["--org", reader.organisation, "--clearance", reader.clearance.label]
    )


def test_the_secret_is_there_for_its_owner(world: dict[str, Path]) -> None:
    view = load_scenario(world["full"]).view(OWNER)
    assert "SECRET-M" in set(view.missions["id"]) and "SECRET-PLEDGE" in set(view.pledges["id"])
    assert view.marking == Classification.CONFIDENTIAL
    res = CliRunner().invoke(
        app, ["scenario", "show", str(world["damaged"]), *_reader_args(OWNER)], env=ENV
    )
    assert res.exit_code == 2 and "SECRET-47" in res.output


@pytest.mark.parametrize("reader", [PUBLIC, MISSION_CONF], ids=["public", "minusma"])
def test_library_read_paths(
    world: dict[str, Path], reader: AccessContext, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bluehelmet.audit")
    view = load_scenario(world["full"]).view(reader)
    assert isinstance(view, ScenarioView) and view.validate() == []
    outputs: list[object] = [view.tables, view.marking]
    functions: list[Callable[[ScenarioView], object]] = [
        stats.latest_deployments,
        stats.mission_strength,
        stats.strength_by_category,
        stats.pledges_by_level,
        stats.pledge_landscape,
        stats.basis_summary,
        geography.mission_points,
        geography.deployment_flows,
        gender.traffic_lights,
        provenance.basis_by_table,
        provenance.sources_by_table,
        provenance.highest_classification,
    ]
    outputs += [f(view) for f in functions]
    result = plan(view, PlanOptions(sensitivities=False, max_asks=2).with_solve(time_limit=5))
    assert result.reader == reader and result.summary.reader.organisation == reader.organisation
    assert result.summary.marking == Classification.UNCLASSIFIED.label
    st = result.statistics
    outputs += [
        result,
        result.summary,
        *result.tables.values(),
        money.cost_vs_budget(result.costs, view),
        st.coverage(),
        st.cost(),
        st.coverage_by_month(),
        st.critical_coverage(),
        st.gaps(),
        st.headline(),
        st.gap_costs(),
        st.cost_vs_budget(),
        st.mission_costs(),
        st.unit_costs(),
        st.capability_requirements(),
        st.smart_pledges(),
        st.unused_pledges(),
        st.gender(),
        st.planned_flows(),
    ]
    result.write(tmp_path / "plan")
    brief = make_brief(view, tmp_path / "brief", plan=result, pdf=False)
    save_scenario(view, tmp_path / "export")
    # Every file written carries the view's marking (the secret rows would have raised it).
    written = [tmp_path / "plan" / name for name in ("plan.csv", "coverage.csv", "summary.json")]
    written += [
        brief.html,
        brief.tables / "gaps.csv",
        brief.tables / "summary.json",
        tmp_path / "export" / "pledges.csv",
    ]
    for path in written:
        assert read_marking(path) == view.marking == Classification.UNCLASSIFIED, path
    text = "\n".join(map(str, outputs)) + _files_text(tmp_path) + caplog.text
    assert MARK not in text
    assert "SECRET" not in caplog.text and '"missions": 2' in caplog.text


def _normalised(text: str, *paths: Path) -> str:
    for p in paths:
        text = text.replace(str(p), "<dir>")
    return re.sub(r"\d+(\.\d+)? s\b", "<t> s", re.sub(r"\s+", " ", text))


@pytest.mark.parametrize("reader", [PUBLIC, MISSION_CONF], ids=["public", "minusma"])
def test_command_line_read_paths(
    world: dict[str, Path], reader: AccessContext, tmp_path: Path
) -> None:
    runner = CliRunner()
    args = _reader_args(reader)
    full, store = world["full"], world["store"]
    # What the reader may see, as its own scenario folder: every count must be the same on it.
    seen = tmp_path / "seen"
    assert (
        runner.invoke(
            app, ["scenario", "export", str(full), "--to", str(seen), *args], env=ENV
        ).exit_code
        == 0
    )

    def run(*cmd: str, code: int = 0) -> str:
        res = runner.invoke(app, [*cmd, *args], env=ENV)
        assert res.exit_code == code, (cmd, res.output)
        assert MARK not in res.output, cmd
        return res.output

    damaged = world["damaged"]
    for cmd in (["scenario", "show"], ["data", "check"]):
        a, b, c = run(*cmd, str(full)), run(*cmd, str(seen)), run(*cmd, str(damaged))
        assert _normalised(a, full) == _normalised(b, seen) == _normalised(c, damaged), cmd
    if reader == PUBLIC:  # the planner runs are the slow part: once is enough
        a = run("plan", str(full), "--out", str(tmp_path / "plan-full"), "--time-limit", "5")
        b = run("plan", str(seen), "--out", str(tmp_path / "plan-seen"), "--time-limit", "5")
        assert _normalised(a, tmp_path / "plan-full") == _normalised(b, tmp_path / "plan-seen")
        run("brief", str(full), "--out", str(tmp_path / "brief"), "--no-pdf", "--asks", "0")
    # An override naming a hidden id fails exactly like one naming an id that does not exist,
    # in plan and in brief alike (both apply overrides to the view, before solving).
    errors = []
    for rid in ("SECRET-PLEDGE", "NO-SUCH-PLEDGE"):
        ov = tmp_path / "ov.toml"
        ov.write_text(f'name = "drop"\n[[pledges.remove]]\nid = "{rid}"\n', "utf-8")
        for cmd in (
            ["plan", str(full), "--out", str(tmp_path / "ovplan")],
            ["brief", str(full), "--out", str(tmp_path / "ovbrief"), "--no-pdf"],
        ):
            res = runner.invoke(app, [*cmd, "--override", str(ov), *args], env=ENV)
            assert res.exit_code == 2, res.output
            errors.append(_normalised(res.output.replace(rid, "<id>"), tmp_path))
    assert errors[0] == errors[2] and errors[1] == errors[3]
    # A hidden mission is as unknown to protection planning as one that does not exist.
    out = []
    for mid in ("SECRET-M", "NO-SUCH-M"):
        res = runner.invoke(
            app,
            [
                "protect",
                mid,
                "--scenario",
                str(full),
                "--out",
                str(tmp_path / "prot"),
                "--risk",
                str(world["risk"]),
                *args,
            ],
            env=ENV,
        )
        assert res.exit_code == 2
        out.append(_normalised(res.output.replace(mid, "<id>"), tmp_path))
    assert out[0] == out[1] and MARK not in out[0]
    run("intel", "reports", "--store", str(store))
    run("intel", "fuse", "--store", str(store), "--out", str(tmp_path / "fused"))
    run("intel", "hotspots", "--store", str(store), "--out", str(tmp_path / "hot.csv"))
    run("intel", "trends", "--store", str(store), "--mission", "MINUSMA")
    assert MARK not in _files_text(tmp_path)


def test_a_released_report_hides_its_protected_contact(world: dict[str, Path]) -> None:
    res = CliRunner().invoke(
        app,
        ["intel", "reports", "--store", str(world["store"]), *_reader_args(MISSION_CONF)],
        env=ENV,
    )
    assert res.exit_code == 0 and "rel-1" in res.output and "3 report(s)" in res.output
    from bluehelmet.intel.store import read_view

    shown = read_view(world["store"], MISSION_CONF).reports.set_index("id")
    assert pd.isna(shown.loc["rel-1", "reporter_contact"])
    assert "SECRET-R1" not in shown.index
