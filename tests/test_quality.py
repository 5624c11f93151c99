"""Code quality gates run with the tests, so CI enforces them: ruff (lint, format) and mypy."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean():
    result = run("ruff", "check", "src", "tests", "tools", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    """The code is in ruff's format (``ruff format src tests tools benchmarks``)."""
    result = run("ruff", "format", "--check", "src", "tests", "tools", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    result = run("mypy", "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_wall_clock_assertions_in_tests():
    """Timings belong to benchmarks/: a test that reads the clock fails on a busy machine."""
    clocks = ("perf_counter", "time.time(", "monotonic(", "process_time")
    # The kill tests read the clock only to place SIGKILLs at random moments inside a measured
    # write; they assert nothing about how long anything takes.
    exempt = {"test_quality.py", "test_kill.py"}
    offenders = [
        f"{p.relative_to(ROOT)}: {clock}"
        for p in (ROOT / "tests").rglob("*.py")
        if p.name not in exempt
        for clock in clocks
        if clock in p.read_text("utf-8")
    ]
    assert offenders == []


def test_one_earth_radius():
    """Every distance uses bluehelmet.geodesy; no other module writes its own Earth radius."""
    sources = [p for p in (ROOT / "src").rglob("*.py") if p.name != "geodesy.py"]
    offenders = [
        str(p.relative_to(ROOT))
        for p in sources
        if any(r in p.read_text("utf-8") for r in ("6371", "6378", "arcsin(np.sqrt"))
    ]
    assert offenders == []


def test_slow_marker_is_registered_and_runs_by_default():
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"slow:' in text
    assert "not slow" not in text.split("addopts", 1)[1].split("\n", 1)[0]
