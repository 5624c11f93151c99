"""``bluehelmet serve`` and ``bluehelmet admin``."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bluehelmet.cli.main import app
from tests.web.conftest import unique


def test_help_lists_the_platform_commands_without_importing_django() -> None:
    code = "import sys, bluehelmet.cli.main; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    result = CliRunner().invoke(app, ["--help"])
    assert "serve" in result.output and "admin" in result.output


def test_admin_creates_organisations_and_users(platform: dict[str, Any]) -> None:
    from bluehelmet.web.accounts.models import Membership

    runner = CliRunner()
    org = "URY"  # a member state the demo does not seed: organisations come from the registry
    folder = ["--data-dir", str(platform["folder"])]
    done = runner.invoke(
        app, ["admin", "create-org", org, "--name", "Uruguay", "--kind", "contributor", *folder]
    )
    assert done.exit_code == 0, done.output
    name = unique("user")
    done = runner.invoke(
        app,
        [
            "admin",
            "create-user",
            name,
            "--org",
            org,
            "--clearance",
            "confidential",
            "--role",
            "analyst",
            "--totp",
            "--password",
            "a long enough passphrase 42",
            *folder,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "otpauth://totp/" in done.output
    membership = Membership.objects.get(user__username=name)
    assert (membership.organisation.code, membership.clearance, membership.roles) == (
        org,
        1,
        ["analyst"],
    )
    assert membership.user.password.startswith("argon2")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "NOPE"], "organisation 'NOPE' does not exist"),
        (["--org", "MINUSMA", "--role", "king"], "role(s) king"),
        (["--org", "MINUSMA", "--clearance", "secret"], "unknown classification 'secret'"),
        (["--org", "MINUSMA", "--password", "short"], "password refused"),
    ],
)
def test_admin_refuses_bad_input_with_the_reason(
    platform: dict[str, Any], args: list[str], message: str
) -> None:
    if "--password" not in args:
        args = [*args, "--password", "a long enough passphrase 42"]
    result = CliRunner().invoke(
        app, ["admin", "create-user", unique("u"), *args, "--data-dir", str(platform["folder"])]
    )
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_identity_key_is_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "identity.key"
    assert CliRunner().invoke(app, ["admin", "identity-key", str(key)]).exit_code == 0
    assert key.stat().st_mode & 0o777 == 0o600
    before = key.read_text()
    assert CliRunner().invoke(app, ["admin", "identity-key", str(key)]).exit_code == 2
    assert key.read_text() == before


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_demo_starts_its_own_postgres_and_stops_it(platform: dict[str, Any]) -> None:
    psutil = pytest.importorskip("psutil")
    folder = Path(tempfile.mkdtemp(prefix="bh-serve-"))
    folder.chmod(0o755)
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "BLUEHELMET_", "DJANGO_"))
    }
    exe = shutil.which("bluehelmet") or str(Path(sys.executable).with_name("bluehelmet"))
    proc = subprocess.Popen(
        [
            exe,
            "serve",
            "--demo",
            "--data-dir",
            str(folder),
            "--port",
            str(port),
            "--processes",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "platform on http" in line:
                break
        output = "".join(lines)
        assert "liaison" in output and "contributor" in output and "TOTP otpauth" in output
        for _ in range(100):  # waitress binds right after printing; no timing asserted
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/alert/ar/").read()
                break
            except OSError:
                time.sleep(0.1)
        assert 'dir="rtl"' in page.decode()
        for _ in range(4):  # both server processes answer on the one port
            assert urllib.request.urlopen(f"http://127.0.0.1:{port}/alert/").status == 200
        copies = [c.pid for c in psutil.Process(proc.pid).children() if "serve" in c.cmdline()]
        assert len(copies) == 1  # --processes 2: this process and one forked copy
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0
        assert not any(psutil.pid_exists(pid) for pid in copies)  # the copy was stopped too
        assert not (folder / "postgres" / "data" / "postmaster.pid").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
