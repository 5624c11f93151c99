"""The NeedToKnow RLS policy body in a real PostgreSQL agrees with the pandas mask.

PostgreSQL is started by the test (initdb + pg_ctl in a temporary folder, Unix socket only) and
queried with ``psql``; skipped where the server binaries are not installed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from bluehelmet.model.access import (
    RELEASE_TABLE_DDL,
    AccessContext,
    Classification,
    NeedToKnow,
    release_rows,
)

ORGS = ["UN", "UN-DPO", "MINUSMA", "MINUSMA-JMAC", "NLD", "AU", "public"]
BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root; the server runs as the 'postgres' system user then.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def psql() -> Iterator[list[str]]:
    initdb = shutil.which("initdb") or str(BIN / "initdb")
    if not Path(initdb).exists() or shutil.which("psql") is None:
        pytest.skip("PostgreSQL server binaries not installed")
    folder = Path(tempfile.mkdtemp(prefix="bhpg"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    pg_ctl = str(Path(initdb).resolve().parent / "pg_ctl")
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            [
                pg_ctl,
                "-D",
                str(data),
                "-w",
                "-l",
                str(folder / "log"),
                "-o",
                f"-k {folder} -c listen_addresses='' -F",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield [
            "psql",
            "-h",
            str(folder),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
        ]
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


def _records(n: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    labels = [*Classification.labels(), "secret-ish", None]
    return pd.DataFrame(
        {
            "id": [f"r{i:03d}" for i in range(n)],
            "classification": [rng.choice(labels) for _ in range(n)],
            "owner": [rng.choice(ORGS) for _ in range(n)],
            "releasable_to": [tuple(rng.sample(ORGS, rng.randint(0, 2))) for _ in range(n)],
        }
    )


def _lit(value: object) -> str:
    return "NULL" if value is None else f"'{value}'"


def test_rls_policy_agrees_with_the_pandas_mask(psql: list[str]) -> None:
    table = _records(300, seed=17)
    rows = ", ".join(
        f"({_lit(r.id)}, {_lit(r.classification)}, {_lit(r.owner)})" for r in table.itertuples()
    )
    releases = ", ".join(
        f"({_lit(e)}, {_lit(i)}, {_lit(o)})"
        for e, i, o in release_rows(table, "pledges").itertuples(index=False, name=None)
    )
    readers = [AccessContext(o, c) for o in ORGS for c in Classification]
    script = [
        "CREATE TABLE pledges (id text PRIMARY KEY, classification text, owner text);",
        RELEASE_TABLE_DDL + ";",
        f"INSERT INTO pledges VALUES {rows};",
        f"INSERT INTO record_release VALUES {releases};",
        "CREATE ROLE reader LOGIN;",
        "GRANT SELECT ON pledges, record_release TO reader;",
        "ALTER TABLE pledges ENABLE ROW LEVEL SECURITY;",
        f"CREATE POLICY need_to_know ON pledges FOR SELECT TO reader "
        f"USING ({NeedToKnow.rls_policy('pledges', 'pledges')});",
        "SET ROLE reader;",
    ]
    for i, reader in enumerate(readers):
        for key, value in NeedToKnow.of(reader).session_settings().items():
            script.append(f"SET {key} = '{value}';")
        script.append(
            f"SELECT '{i}|' || coalesce(string_agg(id, ',' ORDER BY id), '') FROM pledges;"
        )
    out = subprocess.run(
        psql, input="\n".join(script), text=True, capture_output=True, check=True
    ).stdout
    seen = {
        int(k): set(filter(None, v.split(",")))
        for k, v in (line.split("|", 1) for line in out.splitlines() if "|" in line)
    }
    assert len(seen) == len(readers)
    for i, reader in enumerate(readers):
        expected = set(table.loc[NeedToKnow.of(reader).mask(table), "id"])
        assert seen[i] == expected, reader
