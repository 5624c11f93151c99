"""The ``bluehelmet`` command: a thin shell over the library.

Each command group lives in its own module and is registered here. The command modules import
only Typer, Rich and the standard library at the top; pandas, the solvers, matplotlib and
WeasyPrint are imported inside the commands, so that ``bluehelmet --help`` is fast.
"""

from __future__ import annotations

import typer

from bluehelmet.cli import brief as brief_cli
from bluehelmet.cli import data as data_cli
from bluehelmet.cli import intel as intel_cli
from bluehelmet.cli import plan as plan_cli
from bluehelmet.cli import protect as protect_cli
from bluehelmet.cli import robust as robust_cli
from bluehelmet.cli import scenario as scenario_cli
from bluehelmet.cli import serve as serve_cli
from bluehelmet.cli.config import ENV as CONFIG_ENV
from bluehelmet.cli.config import KEYS as CONFIG_KEYS

EPILOG = (
    "Defaults of --org, --clearance, --store and --out can be set in a config file: "
    f"${CONFIG_ENV}, else config.toml in the user config folder (e.g. ~/.config/bluehelmet); "
    "'bluehelmet config' shows which file and values are in use. Command line > environment "
    "variable > config file > built-in default."
)

app = typer.Typer(
    name="bluehelmet",
    help="Decision support for UN peacekeeping: data, force generation, peacekeeping-"
    "intelligence, protection planning and briefings.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("bluehelmet")
        except PackageNotFoundError:  # running from a source tree that is not installed
            from bluehelmet import __version__ as number
        typer.echo(f"bluehelmet {number}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: int = typer.Option(
        0,
        "--verbose",
        "-v",
        count=True,
        help="More log messages on standard error (-v info, -vv debug).",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Only errors on standard error; no progress display."
    ),
) -> None:
    """Decision support for UN peacekeeping.

    Data, force generation, peacekeeping-intelligence, protection planning and briefings.
    """
    from bluehelmet.cli.common import cli_errors
    from bluehelmet.cli.config import default_map, load_config
    from bluehelmet.cli.output import setup_logging

    setup_logging(verbose, quiet)
    with cli_errors():
        config = load_config()
    if config.values:
        ctx.default_map = {**default_map(ctx.command, config), **(ctx.default_map or {})}


@app.command("config")
def show_config(
    json_output: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show the config file in use, its values and the keys it may hold."""
    from bluehelmet.cli.common import cli_errors, console
    from bluehelmet.cli.config import load_config
    from bluehelmet.cli.output import print_json

    with cli_errors():
        config = load_config()
    if json_output:
        print_json(
            {
                "path": str(config.path),
                "exists": config.exists,
                "values": config.values,
                "keys": CONFIG_KEYS,
            }
        )
        return
    console.print(
        f"config file: {config.path} ({'found' if config.exists else 'not found'})",
        markup=False,
        highlight=False,
    )
    for key, value in config.values.items():
        console.print(f"  {key} = {value!r}", markup=False, highlight=False)
    console.print("keys a config file may hold:", markup=False)
    for key, what in CONFIG_KEYS.items():
        console.print(f"  {key}: {what}", markup=False, highlight=False)


app.add_typer(scenario_cli.app, name="scenario")
app.add_typer(data_cli.app, name="data")
app.add_typer(intel_cli.app, name="intel")
app.command("protect")(protect_cli.protect)
app.command("brief")(brief_cli.brief)
app.command("plan")(plan_cli.plan_command)
app.command("sweep")(robust_cli.sweep_command)
app.command("risk")(robust_cli.risk_command)
app.command("serve")(serve_cli.serve)
app.add_typer(serve_cli.admin_app, name="admin")
