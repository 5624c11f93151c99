"""Override files as a hostile user writes them: every value checked, every path confined."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluehelmet import AccessContext, save_scenario
from bluehelmet.cli.main import app
from bluehelmet.errors import DataError
from bluehelmet.forcegen import apply_overrides, load_override
from bluehelmet.forcegen.generate import random_scenario
from bluehelmet.io.write import confined, safe_component
from tests.forcegen.tiny import pledge, tiny

ADD = """[[pledges.add]]
id = "NEW-1"
contributor_id = "B"
unit_type_id = "U"
pcrs_level = "RDL"
available_from = 2018-07-01
source = "what-if"
"""


def _override(tmp: Path, text: str, name: str = "o.toml") -> Path:
    path = tmp / name
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        (ADD + "count = 9223372036854775808\n", "pledges.add[1].count", "out of range"),
        (ADD + "count = -99999999999999999999\n", "pledges.add[1].count", "out of range"),
        (ADD + "available_until = 1500-01-01\n", "pledges.add[1].available_until", "out of range"),
        (ADD + 'women_share = "lots"\n', "pledges.add[1].women_share", "not a number"),
        (ADD + 'colour = "blue"\n', "pledges.add[1]", "not a column"),
        ('[[pledges.update]]\nid = "P1"\ncount = 1e400\n', "pledges.update[1].count", "not a"),
        ("pledges = { add = 5 }\n", "pledges.add", "not a list of rows"),
        ('[[pledges.remove]]\nid = "P1"\ncount = 2\n', "pledges.remove[1]", "only its id"),
        (
            "[parameters]\nhorizon_months = 99999999999999999999999\n",
            "parameters.horizon_months",
            "",
        ),
        ("parameters = 3\n", "parameters", "not a table"),
        ("name = [1, 2]\n", "name", "not a name"),
        ('name = "base"\n', "name", "clashes with the base plan"),
        ('name = "BASE "\n', "name", "clashes with the base plan"),
    ],
)
def test_bad_override_values_are_problems(tmp_path: Path, text: str, field: str, says: str) -> None:
    with pytest.raises(DataError) as err:
        load_override(_override(tmp_path, text))
    found = {p.field: p for p in err.value.problems}
    assert field in found, err.value.problems
    assert says in found[field].reason


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"line 2, column \d+"):
        load_override(_override(tmp_path, 'name = "x"\ncount = = 3\n'))
    for data in (b"\xff\xfe\x00\x00garbage", b"PK\x03\x04zip"):
        path = tmp_path / "b.toml"
        path.write_bytes(data)
        with pytest.raises(DataError):
            load_override(path)


def test_open_end_in_override_is_a_value(tmp_path: Path) -> None:
    ov = load_override(_override(tmp_path, ADD + "available_until = 9999-12-31\n"))
    s = apply_overrides(tiny([pledge("A", rotation=12)]).view(AccessContext.public()), [ov])
    added = s.pledges.set_index("id").loc["NEW-1"]
    assert str(added["available_until"]) == "NaT"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("../../etc/evil", "etc_evil"),
        ("/tmp/abs", "tmp_abs"),
        ("..", "o"),
        ("a\\b", "a_b"),
        ("more lift", "more lift"),
        ("summary.json", "summary_json"),
        ("", "o"),
    ],
)
def test_names_become_plain_folder_names(tmp_path: Path, name: str, slug: str) -> None:
    text = f'name = "{name}"\n'.replace("\\", "\\\\") if name else ""
    ov = load_override(_override(tmp_path, text))
    assert ov.slug == slug
    assert safe_component(ov.slug) == ov.slug
    assert confined(tmp_path, ov.slug).parent == tmp_path


def test_confined_rejects_escapes(tmp_path: Path) -> None:
    from bluehelmet.errors import UnreadableFileError

    for bad in ("..", "../x", "/etc", "a/b"):
        with pytest.raises(UnreadableFileError):
            confined(tmp_path, bad)


def test_cli_plan_writes_only_inside_out(tmp_path: Path) -> None:
    s = random_scenario(n_missions=2, n_months=6, n_pledges=6, n_unit_types=2, seed=3)
    save_scenario(s, tmp_path / "scn")
    evil = _override(
        tmp_path, 'name = "../../escaped"\n[parameters]\nlift_moves_per_month = 40\n', "evil.toml"
    )
    out = tmp_path / "deep" / "out"
    res = CliRunner().invoke(
        app,
        [
            "plan",
            str(tmp_path / "scn"),
            "--out",
            str(out),
            "--override",
            str(evil),
            "--time-limit",
            "3",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (out / "escaped" / "summary.json").is_file()
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "deep" / "escaped").exists()
    # two overrides with one name would overwrite each other: an error, before any solving
    twin = _override(tmp_path, 'name = "escaped"\n', "twin.toml")
    res = CliRunner().invoke(
        app,
        [
            "plan",
            str(tmp_path / "scn"),
            "--out",
            str(out),
            "--override",
            str(evil),
            "--override",
            str(twin),
        ],
    )
    assert res.exit_code == 2 and "same name" in res.output
    base = _override(tmp_path, 'name = "base"\n', "base.toml")
    res = CliRunner().invoke(
        app, ["plan", str(tmp_path / "scn"), "--out", str(out), "--override", str(base)]
    )
    assert res.exit_code == 2 and "clashes with the base plan" in " ".join(res.output.split())
