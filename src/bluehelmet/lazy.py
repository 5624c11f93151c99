"""Lazy public names of a package (PEP 562), so that importing a package loads nothing heavy."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(
    package: str, names: dict[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``names[name]`` on first use and caches the value.

    Parameters
    ----------
    package
        The package's dotted name, for the error message.
    names
        Public name -> module that defines it.
    namespace
        The package's ``globals()``, where a loaded value is kept.
    """

    def load(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return load
