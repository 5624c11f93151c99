r"""The user's config file: defaults for the options people repeat (organisation, store, ...).

A TOML file, by default ``config.toml`` in the platform's user config folder
(``~/.config/bluehelmet`` on Linux, ``~/Library/Application Support/bluehelmet`` on macOS,
``%LOCALAPPDATA%\\bluehelmet`` on Windows; found with ``platformdirs``), or the file named by the
environment variable ``BLUEHELMET_CONFIG``. For example::

    org = "MINUSMA"
    clearance = "confidential"
    store = "~/missions/minusma/intel-store"
    output_folder = "~/bluehelmet-results"

An option given on the command line wins over its environment variable, which wins over the
config file, which wins over the built-in default. The values are applied through click's
``default_map``, so ``--help`` shows them as the defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bluehelmet.errors import BluehelmetError

#: The environment variable naming the config file.
ENV = "BLUEHELMET_CONFIG"

#: The keys a config file may hold, with what they set.
KEYS: dict[str, str] = {
    "org": "--org of every command that reads under need-to-know",
    "clearance": "--clearance of every command that reads under need-to-know",
    "store": "--store of the intel commands (the report store folder)",
    "output_folder": "--out of plan, brief and protect: OUTPUT_FOLDER/<command>",
}

#: Commands whose ``--out`` folder defaults to ``output_folder/<command name>``.
OUTPUT_COMMANDS = ("plan", "brief", "protect")


class ConfigError(BluehelmetError):
    """A config file that cannot be read or holds an unknown key or a wrong value."""


@dataclass(frozen=True)
class Config:
    """The values read from a config file (empty if there is none)."""

    path: Path
    exists: bool
    values: dict[str, str] = field(default_factory=dict)


def config_path() -> Path:
    """The config file: ``$BLUEHELMET_CONFIG``, else ``config.toml`` in the user config folder."""
    named = os.environ.get(ENV)
    if named:
        return Path(named).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("bluehelmet", appauthor=False)) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """Read and check the config file; a missing file is an empty config.

    Raises
    ------
    ConfigError
        If the file is not valid TOML, has an unknown key or a value that is not a string.
    """
    path = config_path() if path is None else path
    if not path.is_file():
        if path.exists():
            raise ConfigError(f"config file {path} is not a file; fix: point {ENV} at a TOML file")
        return Config(path, False)
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"config file {path} cannot be read ({exc}); fix: check its "
            f"permissions or point {ENV} at another file"
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f'config file {path} is not valid TOML ({exc}); fix: write lines like org = "MINUSMA"'
        ) from exc
    values: dict[str, str] = {}
    for key, value in raw.items():
        if key not in KEYS:
            raise ConfigError(
                f"config file {path}: unknown key {key!r}; fix: use one of {', '.join(KEYS)}"
            )
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"config file {path}: key {key!r} has value {value!r}; fix: give "
                "a non-empty string in double quotes"
            )
        values[key] = value
    return Config(path, True, values)


def default_map(command: Any, config: Config) -> dict[str, Any]:
    """Click's nested ``default_map`` for ``command`` (a click group) from ``config``.

    The options concerned also get their help's "default" changed to name the config file, so
    that ``--help`` says where a default comes from.
    """
    values = config.values

    def walk(cmd: Any, name: str) -> dict[str, Any]:
        params = {p.name: p for p in getattr(cmd, "params", [])}
        out: dict[str, Any] = {}
        for key in ("org", "clearance", "store"):
            if key in values and key in params:
                out[key] = str(Path(values[key]).expanduser()) if key == "store" else values[key]
        if "output_folder" in values and name in OUTPUT_COMMANDS and "out" in params:
            out["out"] = str(Path(values["output_folder"]).expanduser() / name)
        for key, value in out.items():
            params[key].show_default = f"{value}, from {config.path}"
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            sub_map = walk(sub, sub_name)
            if sub_map:
                out[sub_name] = sub_map
        return out

    return walk(command, "")
