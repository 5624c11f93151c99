"""No output option overwrites what the command reads: the input, the store, a scenario table.

Each case runs the real command (Typer's runner, real files) with ``--out``/``--rejects``/``--to``
pointed at a file it works from and expects exit 2, a message naming the option and the path,
and the file unchanged, byte for byte.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
S2018 = ROOT / "src" / "bluehelmet" / "datasets" / "scenarios" / "2018"
GED = ROOT / "src" / "bluehelmet" / "datasets" / "reference" / "ucdp_ged201_subset_2015_2017.csv"
UN = (
    "ISOCode3,Contributing_Country,Mission_Acronym,Personnel_Type,Female_Personnel,"
    "Male_Personnel,Last_Reporting_Date\nRWA,Rwanda,UNMISS,Troops,10,100,31/01/2021\n"
    "XXX,Nowhere,UNMISS,Troops,1,1,31/01/2021\n"
)
REPORTS = (
    "id,time,time_precision,longitude,latitude,place_name,category,fatalities,"
    "civilian_deaths,source_type,reliability,credibility,classification,owner,"
    "releasable_to,source,reporter_contact\n"
    "p1,2018-03-05,day,-3.0,15.0,,attack_on_civilians,5,5,patrol,B,2,confidential,"
    "MINUSMA,,patrol log,+223 555 0101\n"
    "bad,not a date,day,-3.0,15.0,,attack_on_civilians,1,1,patrol,B,2,confidential,"
    "MINUSMA,,patrol log,\n"
)
WRITER = ["--org", "MINUSMA", "--clearance", "confidential"]


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def run(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Input files, a scenario folder and a report store (built by the real commands)."""
    root = tmp_path_factory.mktemp("paths")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_CONFIG_HOME", str(root / "config"))  # the store key, not the user's
        env.setenv("BLUEHELMET_CONFIG", str(root / "no-config.toml"))
        for name in ("BLUEHELMET_ORG", "BLUEHELMET_CLEARANCE", "BLUEHELMET_STORE_KEY"):
            env.delenv(name, raising=False)
        env.delenv("BLUEHELMET_KEY_FILE", raising=False)
        yield _fill(root)


def _fill(root: Path) -> Path:
    (root / "un.csv").write_text(UN)
    (root / "sites.csv").write_text("id,kind\n")
    (root / "reports.csv").write_text(REPORTS)
    shutil.copy(GED, root / "ged.csv")
    shutil.copytree(S2018, root / "scn")
    (root / "grid.toml").write_text('name = "g"\n[axes]\n')
    result = run("intel", "import", root / "reports.csv", "--store", root / "store", *WRITER)
    assert result.exit_code == 1, result.output  # one rejected row
    (root / "reports.rejects.csv").unlink()
    (root / "reports.rejects.csv.marking.json").unlink()
    (root / "link.csv").symlink_to(root / "un.csv")
    return root


#: (name, option, the file that must survive, the command's arguments given the work folder)
CASES: list[tuple[str, str, str, Callable[[Path], list[object]]]] = [
    (
        "intel import: rejects onto the input",
        "--rejects",
        "reports.csv",
        lambda w: [
            "intel",
            "import",
            w / "reports.csv",
            "--store",
            w / "store",
            *WRITER,
            "--rejects",
            w / "reports.csv",
        ],
    ),
    (
        "intel import: rejects onto the store",
        "--rejects",
        "store/reports.sqlite",
        lambda w: [
            "intel",
            "import",
            w / "reports.csv",
            "--store",
            w / "store",
            *WRITER,
            "--rejects",
            w / "store" / "reports.sqlite",
        ],
    ),
    (
        "intel import: rejects onto the store key",
        "--rejects",
        "config/bluehelmet/store.key",
        lambda w: [
            "intel",
            "import",
            w / "reports.csv",
            "--store",
            w / "store",
            *WRITER,
            "--rejects",
            w / "config" / "bluehelmet" / "store.key",
        ],
    ),
    (
        "intel export onto the store (through ..)",
        "--out",
        "store/reports.sqlite",
        lambda w: [
            "intel",
            "export",
            "--store",
            w / "store",
            *WRITER,
            "--out",
            w / "store" / ".." / "store" / "reports.sqlite",
        ],
    ),
    (
        "intel hotspots onto the store",
        "--out",
        "store/reports.sqlite",
        lambda w: [
            "intel",
            "hotspots",
            "--store",
            w / "store",
            *WRITER,
            "--out",
            w / "store" / "reports.sqlite",
        ],
    ),
    (
        "intel trends onto the store",
        "--out",
        "store/reports.sqlite",
        lambda w: [
            "intel",
            "trends",
            "--store",
            w / "store",
            *WRITER,
            "--out",
            w / "store" / "reports.sqlite",
        ],
    ),
    (
        "intel hotspots onto its events file",
        "--out",
        "ged.csv",
        lambda w: ["intel", "hotspots", "--events", w / "ged.csv", "--out", w / "ged.csv"],
    ),
    (
        "intel evaluate onto its events file",
        "--out",
        "ged.csv",
        lambda w: [
            "intel",
            "evaluate",
            w / "ged.csv",
            "--first-test-year",
            "2017",
            "--out",
            w / "ged.csv",
        ],
    ),
    (
        "intel risk onto its events file",
        "--out",
        "ged.csv",
        lambda w: ["intel", "risk", w / "ged.csv", "--year", "2018", "--out", w / "ged.csv"],
    ),
    (
        "data check: rejects onto the input through a symbolic link",
        "--rejects",
        "un.csv",
        lambda w: ["data", "check", w / "un.csv", "--rejects", w / "link.csv"],
    ),
    (
        "data import: rejects onto a table of the scenario imported into",
        "--rejects",
        "scn/deployments.csv",
        lambda w: [
            "data",
            "import",
            w / "un.csv",
            "--into",
            w / "scn",
            "--rejects",
            w / "scn" / "deployments.csv",
        ],
    ),
    (
        "scenario export onto the scenario exported",
        "--to",
        "scn/pledges.csv",
        lambda w: ["scenario", "export", w / "scn", "--to", w / "scn"],
    ),
    (
        "plan results into the scenario folder (ceilings.csv)",
        "--out",
        "scn/ceilings.csv",
        lambda w: ["plan", w / "scn", "--out", w / "scn"],
    ),
    (
        "protect results into the scenario folder (requirements.csv)",
        "--out",
        "scn/requirements.csv",
        lambda w: ["protect", "MINUSMA", "--scenario", w / "scn", "--out", w / "scn"],
    ),
    (
        "protect results over its own --bases input",
        "--out",
        "sites.csv",
        lambda w: [
            "protect",
            "MINUSMA",
            "--scenario",
            "2018",
            "--bases",
            w / "sites.csv",
            "--out",
            w,
        ],
    ),
    (
        "brief into the scenario folder",
        "--out",
        "scn/requirements.csv",
        lambda w: ["brief", w / "scn", "--out", w / "scn"],
    ),
    (
        "risk tables into the scenario folder",
        "--out",
        "scn/pledges.csv",
        lambda w: ["risk", w / "scn", "--out", w / "scn"],
    ),
    (
        "sweep into the scenario folder",
        "--out",
        "scn/pledges.csv",
        lambda w: ["sweep", w / "scn", "--grid", w / "grid.toml", "--out", w / "scn"],
    ),
]


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_an_output_never_overwrites_what_the_command_reads(work: Path, name: str) -> None:
    _, option, kept, args = next(c for c in CASES if c[0] == name)
    path = work / kept
    before = path.read_bytes()
    result = run(*args(work))
    text = flat(result.output)
    assert result.exit_code == 2, text
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert option in text and ("overwrite" in text or "replace" in text), text
    assert path.read_bytes() == before


def test_a_new_rejects_file_is_written_marked_and_private(work: Path) -> None:
    """The check refuses only what it must: a fresh --rejects path is written, with a marking."""
    out = work / "new" / "rejected.csv"
    result = run(
        "intel",
        "import",
        work / "reports.csv",
        "--store",
        work / "store",
        *WRITER,
        "--rejects",
        out,
    )
    assert result.exit_code == 1, result.output
    assert "not a date" in out.read_text()
    assert out.stat().st_mode & 0o077 == 0
    marking = json.loads(Path(f"{out}.marking.json").read_text())
    # the rejected row claims confidential: its file carries that level
    assert marking["classification"] == "confidential"
    assert marking["reader_organisation"] == "MINUSMA"


def test_data_import_rejects_go_where_asked(work: Path, tmp_path: Path) -> None:
    into = tmp_path / "new-scenario"
    rejects = tmp_path / "elsewhere" / "un-bad.csv"
    result = run("data", "import", work / "un.csv", "--into", into, "--rejects", rejects)
    assert result.exit_code == 1, result.output
    assert "XXX" in rejects.read_text()
    assert not (tmp_path / "un.rejects.csv").exists()


def test_a_bundled_scenario_is_compared_by_its_folder() -> None:
    """``plan 2018 --out <the installed 2018 folder>`` is refused like a folder given by path."""
    from bluehelmet.cli.checks import same_file, scenario_source

    source = scenario_source("2018")
    assert source is not None and same_file(source, S2018)
    assert scenario_source("no-such-scenario") is None
    assert scenario_source("book.xlsx") == Path("book.xlsx")


def test_a_plot_of_an_unknown_format_is_refused_before_the_work(work: Path) -> None:
    """``--plot x.txt`` was a matplotlib traceback after the metrics were written."""
    result = run(
        "intel", "evaluate", work / "ged.csv", "--first-test-year", "2017",
        "--out", work / "m.json", "--plot", work / "x.txt",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert ".png" in flat(result.output) and not (work / "m.json").exists()
