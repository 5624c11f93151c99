"""A private PostgreSQL cluster started from the installed server binaries.

Used by ``bluehelmet serve --demo`` and by the platform tests: ``initdb`` into a folder, ``pg_ctl``
start with a unix socket in that folder and no TCP listener, stop cleanly on exit. Nothing is
shared with a system PostgreSQL.

PostgreSQL refuses to run as root. When the effective user id is 0 the server runs as the
unprivileged ``nobody`` user (started through ``runuser``); the cluster folder is then owned by
``nobody`` and must sit where ``nobody`` can reach it (not under a 0700 home folder of root).
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bluehelmet.errors import BluehelmetError

#: Unprivileged account the server runs as when bluehelmet runs as root.
SERVICE_USER = "nobody"
#: Role the web application connects as: no superuser, no BYPASSRLS.
APP_ROLE = "bluehelmet_app"
DATABASE = "bluehelmet"
SUPERUSER = "postgres"


class ClusterError(BluehelmetError):
    """The private PostgreSQL cluster could not be created, started or stopped."""


def find_bindir() -> Path:
    """Folder of the PostgreSQL server binaries (``initdb``, ``pg_ctl``, ``postgres``).

    Tries ``$BLUEHELMET_PG_BINDIR``, then ``pg_config --bindir``, then the newest
    ``/usr/lib/postgresql/*/bin``.
    """
    candidates: list[Path] = []
    if env := os.environ.get("BLUEHELMET_PG_BINDIR"):
        candidates.append(Path(env))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> int:
        name = Path(path).parent.name
        return int(name) if name.isdigit() else 0

    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version)
    candidates += [Path(p) for p in reversed(versions)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise ClusterError(
        "no PostgreSQL server binaries found (looked at $BLUEHELMET_PG_BINDIR, pg_config --bindir "
        "and /usr/lib/postgresql/*/bin); install them, e.g. 'apt-get install postgresql-15', or "
        "set DATABASE_URL to an existing PostgreSQL database"
    )


def _as_service_user() -> list[str]:
    """Command prefix that drops root to :data:`SERVICE_USER` (empty when not root)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser") or shutil.which("setpriv")
    if runuser is None:
        raise ClusterError(
            "running as root, but neither runuser nor setpriv is installed to "
            f"start PostgreSQL as the unprivileged user {SERVICE_USER!r}"
        )
    if runuser.endswith("runuser"):
        return [runuser, "-u", SERVICE_USER, "--"]
    entry = pwd.getpwnam(SERVICE_USER)
    return [runuser, f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]


def _chown_service(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVICE_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


@dataclass
class Cluster:
    """A PostgreSQL cluster in ``root`` (``root/data``, socket in ``root/run``).

    Parameters
    ----------
    root
        Folder holding the cluster; created if missing. When running as root it must be
        reachable by the ``nobody`` user (e.g. under /tmp or /var/lib, not under /root).
    port
        Port number used only to name the unix socket (no TCP listener is opened).

    """

    root: Path
    port: int = 5432

    @property
    def data(self) -> Path:
        """The PostgreSQL data folder."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """Folder of the server's unix socket."""
        return self.root / "run"

    @property
    def credentials_file(self) -> Path:
        """Passwords of the superuser and the application role (mode 0600)."""
        return self.root / "credentials.json"

    def _credentials(self) -> dict[str, str]:
        return dict(json.loads(self.credentials_file.read_text()))

    def url(self, role: str = APP_ROLE) -> str:
        """``postgresql://`` URL for ``role`` (``postgres`` = superuser) over the unix socket."""
        password = self._credentials()[role]
        return f"postgresql://{role}:{password}@/{DATABASE}?host={self.socket_dir}&port={self.port}"

    def _run(self, args: list[str], what: str) -> None:
        out = subprocess.run(
            _as_service_user() + args, capture_output=True, text=True, check=False, cwd="/"
        )
        if out.returncode != 0:
            raise ClusterError(
                f"{what} failed (exit {out.returncode}): "
                f"{(out.stderr or out.stdout).strip()[-800:]}"
            )

    def init(self) -> None:
        """Create the cluster, the database and the application role if not yet there."""
        if (self.data / "PG_VERSION").exists():
            return
        bindir = find_bindir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        for folder in (self.data, self.socket_dir):
            folder.mkdir(exist_ok=True)
            _chown_service(folder)
        self.data.chmod(0o700)
        creds = {SUPERUSER: secrets.token_urlsafe(24), APP_ROLE: secrets.token_urlsafe(24)}
        self.credentials_file.touch(mode=0o600)
        self.credentials_file.write_text(json.dumps(creds))
        pwfile = self.socket_dir / "initdb.pw"
        pwfile.write_text(creds[SUPERUSER])
        _chown_service(pwfile)
        try:
            self._run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    SUPERUSER,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C",
                ],
                "initdb",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self.start()
        import psycopg

        with psycopg.connect(
            self.url(SUPERUSER).replace(f"/{DATABASE}?", "/postgres?"), autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
            conn.execute(
                f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE "
                "PASSWORD %s".replace("%s", _literal(creds[APP_ROLE]))
            )

    def running(self) -> bool:
        """Whether the server of this cluster is running."""
        return (self.data / "postmaster.pid").exists() and subprocess.run(
            _as_service_user() + [str(find_bindir() / "pg_ctl"), "status", "-D", str(self.data)],
            capture_output=True,
            check=False,
            cwd="/",
        ).returncode == 0

    def start(self) -> None:
        """Start the server (unix socket only, no TCP) and wait until it accepts connections."""
        if self.running():
            return
        options = (
            f"-c listen_addresses='' -k {self.socket_dir} -p {self.port} "
            "-c fsync=on -c max_connections=60"
        )
        self._run(
            [
                str(find_bindir() / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.data),
                "-l",
                str(self.socket_dir / "server.log"),
                "-o",
                options,
            ],
            "pg_ctl start",
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown: open transactions are rolled back)."""
        if self.running():
            self._run(
                [str(find_bindir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.data)],
                "pg_ctl stop",
            )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _has_c_utf8() -> bool:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
    return any(line.strip().lower() in ("c.utf8", "c.utf-8") for line in out.stdout.splitlines())
