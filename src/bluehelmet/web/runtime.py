"""Start-up of the platform: configuration from the environment or a private demo cluster.

With ``DATABASE_URL`` set, that database is used as it is. Without it, a private PostgreSQL
cluster is created and started in the data folder (:mod:`bluehelmet.web.pgcluster`) and stopped
when the block ends. Keys live in the data folder, outside the database and the settings:
``secret.key`` (Django signing), ``identity.key`` (reporter identities), ``twilio.token``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bluehelmet.web.pgcluster import APP_ROLE, SUPERUSER, Cluster


def default_data_dir() -> Path:
    """Where the demo keeps its cluster and keys.

    ``$BLUEHELMET_DATA_DIR``; else ``/var/lib/bluehelmet/demo`` as root (the unprivileged
    PostgreSQL user must reach it); else ``$XDG_DATA_HOME/bluehelmet/demo``.
    """
    if env := os.environ.get("BLUEHELMET_DATA_DIR"):
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/lib/bluehelmet/demo")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bluehelmet" / "demo"


def _secret_file(path: Path, make: str) -> Path:
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make)
    return path


@contextmanager
def platform(data_dir: Path | None = None, migrate: bool = True) -> Iterator[Cluster | None]:
    """Configure Django (and start a private cluster if no ``DATABASE_URL``), then migrate.

    Yields the private cluster, or ``None`` when ``DATABASE_URL`` is configured.
    """
    import secrets

    from bluehelmet.web.identity import create_key_file

    folder = data_dir or default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cluster: Cluster | None = None
    if not os.environ.get("DATABASE_URL"):
        cluster = Cluster(folder / "postgres")
        cluster.init()
        cluster.start()
        os.environ["DATABASE_URL"] = cluster.url(APP_ROLE)
        os.environ["BLUEHELMET_OWNER_DATABASE_URL"] = cluster.url(SUPERUSER)
    if not os.environ.get("BLUEHELMET_IDENTITY_KEY_FILE"):
        key = folder / "identity.key"
        if not key.exists():
            create_key_file(key)
        os.environ["BLUEHELMET_IDENTITY_KEY_FILE"] = str(key)
    if not os.environ.get("BLUEHELMET_SECRET_KEY") and not os.environ.get(
        "BLUEHELMET_SECRET_KEY_FILE"
    ):
        os.environ["BLUEHELMET_SECRET_KEY_FILE"] = str(
            _secret_file(folder / "secret.key", secrets.token_urlsafe(50))
        )
    os.environ.setdefault(
        "BLUEHELMET_TWILIO_AUTH_TOKEN_FILE",
        str(_secret_file(folder / "twilio.token", secrets.token_hex(16))),
    )
    os.environ.setdefault("BLUEHELMET_JOBS_DIR", str(folder / "jobs"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluehelmet.web.settings")
    try:
        import django

        django.setup()
        if migrate:
            from bluehelmet.web.dbsetup import migrate as run_migrations

            run_migrations()
        yield cluster
    finally:
        from django.db import connections

        connections.close_all()
        if cluster is not None:
            cluster.stop()


def seed_demo(data_dir: Path, warm: bool = False) -> list[dict[str, str]]:
    """Seed the demo (first time) and return its users as saved in ``demo-users.json``.

    With ``warm``, queue the jobs that train the demo analysts' early-warning layers
    (:func:`bluehelmet.web.demo.warm`), so that no one waits for them on the map.
    """
    from dataclasses import asdict

    from bluehelmet.web.demo import seed
    from bluehelmet.web.demo import warm as warm_layers

    saved = data_dir / "demo-users.json"
    users = seed()
    if warm:
        warm_layers()
    if users:
        saved.unlink(missing_ok=True)
        _secret_file(saved, json.dumps([asdict(u) for u in users], indent=1))
    return list(json.loads(saved.read_text())) if saved.exists() else []
