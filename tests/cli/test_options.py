"""Every field of the options objects has its command-line flag and its line in docs/cli.md."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest
import typer

from bluehelmet.cli.main import app
from bluehelmet.cli.reference import OPTIONS, flag
from bluehelmet.forcegen.options import PlanOptions, SolveOptions
from bluehelmet.protect.options import ProtectOptions

ROOT = Path(__file__).resolve().parents[2]


def _flags(command: str) -> set[str]:
    cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    return {opt for p in cmd.params for opt in [*p.opts, *p.secondary_opts]}


@pytest.mark.parametrize(("command", "cls"), OPTIONS, ids=[c.__name__ for _, c in OPTIONS])
def test_every_option_has_a_flag_a_doc_and_a_line_in_the_reference(command: str, cls: type) -> None:
    flags = _flags(command)
    reference = (ROOT / "docs" / "cli.md").read_text("utf-8")
    for f in fields(cls):
        if is_dataclass(f.default):
            continue  # PlanOptions.solve: the SolveOptions row covers its fields
        assert f.metadata.get("doc"), f"{cls.__name__}.{f.name} has no documentation"
        assert flag(f.name) in flags, f"bluehelmet {command} has no {flag(f.name)} flag"
        assert f"| `{f.name}` | `{flag(f.name)}` |" in reference, (
            f"{cls.__name__}.{f.name} missing from docs/cli.md: run python tools/gen_docs.py"
        )


def test_options_are_frozen_and_checked() -> None:
    opts = PlanOptions()
    with pytest.raises(AttributeError):
        opts.horizon = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="horizon"):
        PlanOptions(horizon=0)
    with pytest.raises(ValueError, match="mip_rel_gap"):
        SolveOptions(mip_rel_gap=1.5)
    with pytest.raises(ValueError, match="high_risk_quantile"):
        ProtectOptions(high_risk_quantile=1.0)
    assert opts.with_solve(time_limit=3.0).solve.time_limit == 3.0


def test_no_module_flag_is_patched_by_the_tests() -> None:
    """Solver behaviour is set by options objects, never by patching module globals."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").rglob("*.py")
        if "monkeypatch.setattr(" in p.read_text("utf-8") and p.name != Path(__file__).name
    ]
    assert not offenders, offenders
