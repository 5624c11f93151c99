"""Every intel test gets its own store-key location (never the user's real config folder)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_key_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    for name in (
        "BLUEHELMET_STORE_KEY",
        "BLUEHELMET_KEY_FILE",
        "BLUEHELMET_ORG",
        "BLUEHELMET_CLEARANCE",
    ):
        monkeypatch.delenv(name, raising=False)
    return config
