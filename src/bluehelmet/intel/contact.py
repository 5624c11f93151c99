"""Encryption at rest of reporters' contact details (``reporter_contact``).

The store never holds a contact in clear text: each value is sealed with AES-256-GCM (the
``cryptography`` package) under a key held **outside the store**, with the record's owner,
classification and id as associated data, so a sealed value copied onto another record does not
open. The key comes from, in this order:

1. the environment variable ``BLUEHELMET_STORE_KEY`` (32 bytes, URL-safe base64);
2. the file ``$BLUEHELMET_KEY_FILE``, or by default ``<user config dir>/bluehelmet/store.key``
   (``$XDG_CONFIG_HOME`` or ``~/.config``), created with mode 0600 on first use.

A key file inside the store folder is refused: whoever copies the store must not get the key.

Who may open a contact is decided by :func:`entitled` (the rule is documented in
docs/intelligence.md): the record's owner organisation, at clearance confidential or above.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import numpy as np
import pandas as pd

from bluehelmet.errors import StoreError
from bluehelmet.model.access import AccessContext, Classification, NeedToKnow

KEY_ENV = "BLUEHELMET_STORE_KEY"
KEY_FILE_ENV = "BLUEHELMET_KEY_FILE"
#: Length of the random nonce in front of every sealed value.
NONCE_BYTES = 12


def key_file() -> Path:
    """Where the key file is (whether or not it exists yet)."""
    if os.environ.get(KEY_FILE_ENV):
        return Path(os.environ[KEY_FILE_ENV]).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "bluehelmet" / "store.key"


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise StoreError(
            f"the store key from {where} is not 32 bytes of URL-safe base64; "
            'generate one with: python -c "import base64,os;'
            'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
        )
    return key


def load_key(store_folder: Path, *, create: bool) -> bytes | None:
    """The contact key; created (0600) when ``create`` and none exists, else ``None``.

    Raises
    ------
    StoreError
        If the key is malformed or its file lies inside ``store_folder``.
    """
    if os.environ.get(KEY_ENV):
        return _decode(os.environ[KEY_ENV], f"${KEY_ENV}")
    path = key_file()
    folder = store_folder.resolve()
    if path.resolve().is_relative_to(folder):
        raise StoreError(
            f"the key file {path} is inside the store folder {store_folder}; keep "
            "the key outside the store (set $BLUEHELMET_KEY_FILE elsewhere)"
        )
    if path.is_file():
        return _decode(path.read_text("ascii", errors="replace"), str(path))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # created meanwhile by another process: use theirs
        return _decode(path.read_text("ascii"), str(path))
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
    return _decode(text, str(path))


def _aad(owner: str, classification: str, rid: str) -> bytes:
    return f"{owner}\x1f{classification}\x1f{rid}".encode()


def seal(table: pd.DataFrame, key: bytes | None) -> list[bytes | None]:
    """Seal the ``reporter_contact`` values of ``table`` (``None`` where there is none)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    contact = table["reporter_contact"].astype("string")
    present = contact.notna().to_numpy(dtype=bool)
    out: list[bytes | None] = [None] * len(table)
    if not present.any():
        return out
    if key is None:
        raise StoreError("reporter contacts need the store key, which was not found")
    aead = AESGCM(key)
    rows = np.flatnonzero(present)
    owners = table["owner"].astype(str).to_numpy()[rows]
    levels = table["classification"].astype(str).to_numpy()[rows]
    ids = table["id"].astype(str).to_numpy()[rows]
    texts = contact.to_numpy(dtype=object)[rows]
    # one AES-GCM call per contact (there is no batch API); contacts are few per report file
    for i, owner, level, rid, text in zip(rows, owners, levels, ids, texts, strict=True):
        nonce = os.urandom(NONCE_BYTES)
        out[i] = nonce + aead.encrypt(nonce, str(text).encode(), _aad(owner, level, rid))
    return out


def unseal(
    sealed: pd.Series, table: pd.DataFrame, show: np.ndarray, key: bytes | None
) -> pd.Series:
    """Open the sealed contacts where ``show`` is true; everything else becomes missing.

    Raises
    ------
    StoreError
        If a contact the reader is entitled to does not open (wrong key or altered value); the
        message names no record.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    out = np.full(len(table), None, dtype=object)
    rows = np.flatnonzero(show & sealed.notna().to_numpy(dtype=bool))
    if len(rows):
        if key is None:
            raise StoreError(
                "this store holds reporter contacts but the store key was not "
                f"found (${KEY_ENV} or {key_file()})"
            )
        aead = AESGCM(key)
        values = sealed.to_numpy(dtype=object)
        owners = table["owner"].astype(str).to_numpy()
        levels = table["classification"].astype(str).to_numpy()
        ids = table["id"].astype(str).to_numpy()
        try:
            for i in rows:
                blob = bytes(values[i])
                out[i] = aead.decrypt(
                    blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(owners[i], levels[i], ids[i])
                ).decode()
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise StoreError(
                "a reporter contact does not open with the store key (a different "
                "key, or the store was altered); use the key the store was written "
                "with"
            ) from None
    return pd.Series(pd.array(out, dtype="string"), index=table.index)


def entitled(table: pd.DataFrame, reader: AccessContext) -> np.ndarray:
    """Rows whose reporter contact ``reader`` may see: owner acted for, confidential or above.

    Releasability does not extend to contacts: a partner a report is released to sees the report
    but not who reported it.
    """
    if reader.clearance < Classification.CONFIDENTIAL or len(table) == 0:
        return np.zeros(len(table), dtype=bool)
    return NeedToKnow.of(reader).owns(table).to_numpy(bool)
