"""Options objects: frozen dataclasses whose fields carry their default and documentation.

:func:`option` declares such a field; the command line has one flag per field (``time_limit``
is ``--time-limit``) and ``docs/cli.md`` lists them
(:func:`bluehelmet.cli.reference.options_markdown`).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any


def option(default: Any, doc: str) -> Any:
    """A dataclass field with a default and its documentation (``metadata["doc"]``)."""
    return field(default=default, metadata={"doc": doc})
