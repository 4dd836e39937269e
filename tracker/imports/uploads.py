"""Keeping an upload between its preview and its confirmation: private files named by a token, gone after a day.

The files go through Django's storage API: STORAGES["imports"] when the settings name it (a directory every
application server mounts, SHARED_STORAGE_DIR, or an object store), so a sheet previewed on one server is
confirmed on another; otherwise a folder of this server's own, IMPORT_TMP_DIR, readable by its user alone.
"""

import datetime
import json
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Uploads whose preview was never confirmed are removed after a day.
STALE_AFTER = datetime.timedelta(days=1)


def storage():
    """Where uploads wait for their confirmation."""
    if "imports" in settings.STORAGES:
        return storages["imports"]
    return FileSystemStorage(
        location=settings.IMPORT_TMP_DIR, file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


def remove_stale(store):
    """Delete the uploads of previews older than STALE_AFTER."""
    cutoff = timezone.now() - STALE_AFTER
    try:
        names = store.listdir("")[1]
    except FileNotFoundError:
        return  # nothing stored yet
    for name in names:
        try:
            if store.get_modified_time(name) < cutoff:
                store.delete(name)
        except FileNotFoundError:
            pass  # removed meanwhile by a concurrent request


def _save(store, name, data):
    saved = store.save(name, ContentFile(data))
    if saved != name:  # a random 256-bit token is never taken; refuse rather than confirm another file
        store.delete(saved)
        raise FileExistsError(name)


def store_upload(user, model, filename, data):
    """Keep the bytes of a previewed file for its confirmation; return the token that names them."""
    store = storage()
    remove_stale(store)
    token = secrets.token_urlsafe(32)
    meta = {"user": user.pk, "model": model._meta.label, "filename": Path(filename).name}
    # The description last: an upload is there once its description is.
    _save(store, f"{token}.upload", data)
    _save(store, f"{token}.json", json.dumps(meta).encode())
    return token


def _read(store, name):
    with store.open(name, "rb") as file:
        return file.read()


def load_upload(user, model, token):
    """(filename, bytes) of a stored upload, or None if it is gone; another user's is refused."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    store = storage()
    try:
        meta = json.loads(_read(store, f"{token}.json"))
        data = _read(store, f"{token}.upload")
    except (OSError, ValueError):
        return None
    if meta.get("user") != user.pk:
        raise PermissionDenied("This import was uploaded by another user.")
    if meta.get("model") != model._meta.label:
        return None
    return meta["filename"], data


def discard_upload(token):
    if _TOKEN.fullmatch(token or ""):
        store = storage()
        for suffix in (".json", ".upload"):
            store.delete(f"{token}{suffix}")
