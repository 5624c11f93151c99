"""The ``bluehelmet`` command: a thin shell over the library.

Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

import typer

from bluehelmet.cli import brief as brief_cli
from bluehelmet.cli import data as data_cli
from bluehelmet.cli import intel as intel_cli
from bluehelmet.cli import plan as plan_cli
from bluehelmet.cli import protect as protect_cli
from bluehelmet.cli import scenario as scenario_cli
from bluehelmet.cli import serve as serve_cli

app = typer.Typer(
    name="bluehelmet",
    help="Decision support for UN peacekeeping: data, force generation, peacekeeping-"
    "intelligence, protection planning and briefings.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(scenario_cli.app, name="scenario")
app.add_typer(data_cli.app, name="data")
app.add_typer(intel_cli.app, name="intel")
app.command("protect")(protect_cli.protect)
app.command("brief")(brief_cli.brief)
app.command("plan")(plan_cli.plan_command)
app.command("serve")(serve_cli.serve)
app.add_typer(serve_cli.admin_app, name="admin")
