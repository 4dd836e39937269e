"""Keeping an upload between its preview and its confirmation: private files named by a token, gone after a day."""

import datetime
import json
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Uploads whose preview was never confirmed are removed after a day.
STALE_AFTER = datetime.timedelta(days=1)


def _uploads():
    directory = Path(settings.IMPORT_TMP_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _write_private(path, data):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def store_upload(user, model, filename, data):
    """Keep the bytes of a previewed file for its confirmation; return the token that names them."""
    directory = _uploads()
    cutoff = time.time() - STALE_AFTER.total_seconds()
    for old in directory.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass  # removed meanwhile by a concurrent request
    token = secrets.token_urlsafe(32)
    meta = {"user": user.pk, "model": model._meta.label, "filename": Path(filename).name}
    _write_private(directory / f"{token}.upload", data)
    _write_private(directory / f"{token}.json", json.dumps(meta).encode())
    return token


def load_upload(user, model, token):
    """(filename, bytes) of a stored upload, or None if it is gone; another user's is refused."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    directory = _uploads()
    try:
        meta = json.loads((directory / f"{token}.json").read_text())
        data = (directory / f"{token}.upload").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user") != user.pk:
        raise PermissionDenied("This import was uploaded by another user.")
    if meta.get("model") != model._meta.label:
        return None
    return meta["filename"], data


def discard_upload(token):
    if _TOKEN.fullmatch(token or ""):
        directory = _uploads()
        for suffix in (".upload", ".json"):
            (directory / f"{token}{suffix}").unlink(missing_ok=True)
