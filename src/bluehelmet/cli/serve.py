"""``bluehelmet serve`` and ``bluehelmet admin``: the web platform (Django under waitress).

Django and the database driver are imported inside the commands, so ``bluehelmet --help`` and
the other commands do not pay for them.
"""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import typer

from bluehelmet.cli.common import cli_errors, console

DataDirOption = typer.Option(
    None,
    "--data-dir",
    help="Folder of the private PostgreSQL cluster (used when DATABASE_URL "
    "is not set), keys and job files (env BLUEHELMET_DATA_DIR; default "
    "/var/lib/bluehelmet/demo as root, else ~/.local/share/bluehelmet/demo).",
)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Seed demo organisations, users of every "
        "kind and the bundled data, and print the users.",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    threads: int = typer.Option(8, "--threads", help="Worker threads of the WSGI server."),
    processes: int = typer.Option(
        1,
        "--processes",
        help="Web server processes sharing the port (Linux, macOS); 2-3 use both cores of a "
        "2-core server.",
    ),
    worker: bool = typer.Option(
        True,
        "--worker/--no-worker",
        help="Also run background jobs in this process (else run 'bluehelmet admin worker').",
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Run the mission platform (DATABASE_URL, or a private PostgreSQL in the data folder)."""
    from bluehelmet.web.runtime import default_data_dir, platform, seed_demo

    folder = data_dir or default_data_dir()
    signal.signal(signal.SIGTERM, _stop)
    with cli_errors(), platform(folder):
        if demo:
            _print_users(seed_demo(folder, warm=worker))
        from bluehelmet.web.server import listen, run
        from bluehelmet.web.wsgi import application

        run(
            application,
            listen(host, port),
            threads,
            copies=max(0, processes - 1),
            worker=worker,  # one job worker, in this process (after the fork)
            ready=lambda: console.print(
                f"bluehelmet platform on http://{host}:{port}/ (Ctrl-C stops it)"
            ),
            say=lambda text: console.print(text, highlight=False, soft_wrap=True),
        )


def _print_users(users: list[dict[str, str]]) -> None:
    console.print(
        "demo users (user  password  organisation  clearance  roles  TOTP):", highlight=False
    )
    for user in users:
        totp = f"TOTP {user['totp_uri']}" if user["totp_uri"] else "no TOTP"
        console.print(
            f"  {user['username']}  {user['password']}  {user['organisation']}  "
            f"{user['clearance']}  {user['roles']}  {totp}",
            highlight=False,
            soft_wrap=True,
        )


admin_app = typer.Typer(
    help="Administer the platform's database: migrate, organisations, users.", no_args_is_help=True
)


@admin_app.command("migrate")
def migrate_command(data_dir: Path | None = DataDirOption) -> None:
    """Apply the database migrations and grant the application role."""
    from bluehelmet.web.runtime import platform

    with cli_errors(), platform(data_dir):
        console.print("database migrated")


@admin_app.command("worker")
def worker_command(
    once: bool = typer.Option(False, "--once", help="Run the queued jobs, then stop."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Run background jobs (exports, plans); several workers may run at once."""
    signal.signal(signal.SIGTERM, _stop)
    from bluehelmet.web.runtime import platform

    with cli_errors(), platform(data_dir):
        from bluehelmet.web.jobs import work

        try:
            console.print(f"{work(once=once)} job(s) run")
        except KeyboardInterrupt:
            console.print("stopping")


@admin_app.command("create-org")
def create_org(
    code: str = typer.Argument(..., help="Organisation code used as record owner, e.g. MINUSMA."),
    name: str = typer.Option(..., "--name", help="Full name."),
    kind: str = typer.Option(
        ..., "--kind", help="un_hq, mission, section, contributor or partner."
    ),
    parent: str | None = typer.Option(None, "--parent", help="Code of the parent organisation."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create an organisation in the tree (one the library's registry knows, or a member state)."""
    from bluehelmet.web.runtime import platform

    with cli_errors(), platform(data_dir):
        from bluehelmet.web.admin_ops import create_organisation

        create_organisation(code, name, kind, parent)
        console.print(f"organisation {code} created")


@admin_app.command("sync-orgs")
def sync_orgs(
    member_state: list[str] = typer.Option(
        [], "--member-state", help="ISO 3166-1 alpha-3 code of a member state to add (repeatable)."
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create the organisations of the library's registry (model/organisations.csv)."""
    from bluehelmet.web.runtime import platform

    with cli_errors(), platform(data_dir):
        from bluehelmet.web.accounts.registry import sync_registry

        created = sync_registry(tuple(member_state))
        console.print(
            f"{len(created)} organisation(s) created: {', '.join(created) or 'none'}",
            highlight=False,
        )


@admin_app.command("create-user")
def create_user(
    username: str = typer.Argument(..., help="Login name."),
    org: str = typer.Option(..., "--org", help="Organisation code of the membership."),
    clearance: str = typer.Option(
        "unclassified",
        "--clearance",
        help="Clearance assigned in "
        "that organisation: unclassified, confidential or "
        "strictly_confidential.",
    ),
    role: list[str] = typer.Option(
        [],
        "--role",
        help="Role (repeatable): reporter, analyst, "
        "approver, community_liaison, auditor, administrator, planner, "
        "force_generation.",
    ),
    totp: bool = typer.Option(False, "--totp", help="Enrol a TOTP device and print its URI."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Password (prompted when not given).",
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create a user with one membership (more with create-user on an existing name)."""
    from bluehelmet.web.runtime import platform

    with cli_errors(), platform(data_dir):
        from bluehelmet.web.admin_ops import create_user as create

        uri = create(username, org, clearance, role, password, totp)
        console.print(f"user {username} in {org} ({clearance}; {', '.join(role) or 'no role'})")
        if uri:
            console.print(f"TOTP: {uri}")


@admin_app.command("identity-key")
def identity_key(
    path: Path = typer.Argument(..., help="New key file (refused if it exists)."),
) -> None:
    """Create the key file that protects reporter identities (set BLUEHELMET_IDENTITY_KEY_FILE)."""
    from bluehelmet.web.identity import create_key_file

    try:
        create_key_file(path)
    except FileExistsError:
        console.print(f"[bold red]error:[/] {path} exists; a key is never overwritten")
        raise typer.Exit(2) from None
    console.print(f"identity key written to {path} (mode 0600); keep a copy offline")
