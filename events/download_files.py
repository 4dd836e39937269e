"""Downloads that cannot starve the site: whole lists served as files, the others capped.

A whole list (no filter; the prisoners by custody status alone) is the same
file for every reader until the public data changes, so it is written once
per data version into the downloads' storage (storage() below: shared by
every server, as the data package's is) and then served as a file: by the proxy when
DOWNLOAD_ACCEL_PREFIX names its internal location (nginx X-Accel-Redirect)
or DOWNLOAD_SENDFILE is on (X-Sendfile), otherwise by Django in large blocks
(which gunicorn hands to sendfile()). No database work while it streams, and
no worker held for longer than the copy takes.

The file is written by the first reader's own download, as it streams from
the database (the CSV's bytes go to the reader and to the file at once), so
that reader waits no longer than before and the others get the same bytes.
Its name carries the data version read before the rows were (caching.version_key()),
so a file is never served after a public change (a withdrawn consent, a
retraction): the next reader writes the new one. The rows' addresses depend
on the site's address the request names, so the file's folder does too.

Every download that reads the database (a filtered list, a whole list
while its file is being written, a spreadsheet being built) takes one of
DOWNLOAD_SLOTS slots shared by the server's processes, for as long as it
reads; beyond them the reader gets a 503 with Retry-After, and the page
workers stay free for the pages. The slots are lock files beside the file
cache (one machine's processes), or keys of the shared cache (Redis,
memcached: every machine's) that expire if their process dies.
"""

import fcntl
import hashlib
import os
import tempfile
import threading
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, HttpResponse
from django.utils.cache import patch_vary_headers

from events import dataset
from events.columns import TABLES, URI
from tracker import caching
from tracker.exports import XLSX, SheetColumn, column_label, csv_response, xlsx_file

FOLDER = "downloads"
COMPLETE = ".complete"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
# A whole list's file is claimed by one writer at a time; the claim lapses if its process dies.
CLAIM_SECONDS = 600
# Blocks Django reads a stored file in when no proxy serves it.
BLOCK = 1 << 20
# gzip level of the compressed copy of a CSV file: the fastest, as the first reader's download writes it.
GZIP_LEVEL = 1
BUSY = "Too many downloads are running at once. Please try again in a minute.\n"


def setting(name, default):
    return getattr(settings, name, default)


# --- Which requests are a whole list -----------------------------------------------


def whole_list(filterset, allowed=(), defaults=None):
    """The file variant a FilterSet's request asks for: "" for the whole list, "status-held" for one allowed
    filter's value, or None when anything else filters or orders it (the download then reads the database).

    `defaults`: values that ask for what no value asks for (the list's default order).
    """
    if not filterset.is_bound:
        return ""
    defaults = defaults or {}
    used = {
        name: value
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "", False) and defaults.get(name) != value
    }
    if set(used) - set(allowed) or len(used) > 1:
        return None
    return "".join(f"{name}-{value}" for name, value in used.items())


def stored_name(request, name, format, variant):
    """The storage name of a whole list's file: its data version, the site's address, the list."""
    site = hashlib.sha256(request.build_absolute_uri("/").encode()).hexdigest()[:16]
    return f"{FOLDER}/{caching.version_key()}/{site}/{name}{'.' + variant if variant else ''}.{format}"


def storage():
    """Where the whole lists' files live: one place every web server reads, as for the data package.

    STORAGES["downloads"], else the data package's STORAGES["dataset"] (under downloads/), else the files
    under DOWNLOAD_DIR (by default beside DATASET_DIR: var/dataset-downloads).
    """
    if "downloads" in settings.STORAGES:
        return storages["downloads"]
    if "dataset" in settings.STORAGES:
        return dataset.storage()
    directory = setting("DOWNLOAD_DIR", "") or Path(settings.DATASET_DIR).with_name(
        Path(settings.DATASET_DIR).name + "-downloads"
    )
    return FileSystemStorage(location=directory)


# --- The cap ------------------------------------------------------------------


class LockSlot:
    """A slot held as an flock()ed file: released when closed, or when its process dies."""

    def __init__(self, fd):
        self.fd = fd

    def keep(self):
        pass

    def release(self):
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)


class CacheSlot:
    """A slot held as a shared cache key, set with add() (atomic in Redis and memcached), renewed while in use."""

    LEASE = 60

    def __init__(self, key, token):
        self.key, self.token, self.renewed = key, token, time.monotonic()

    def keep(self):
        if time.monotonic() - self.renewed > self.LEASE / 4:
            self.renewed = time.monotonic()
            cache.touch(self.key, self.LEASE)

    def release(self):
        if self.token is not None and cache.get(self.key) == self.token:
            cache.delete(self.key)
        self.token = None


def shared_cache():
    backend = settings.CACHES["default"]["BACKEND"].lower()
    return "redis" in backend or "memcache" in backend


def slot_directory():
    """Where the lock files of the slots are: beside the file cache, which the server's processes share."""
    named = setting("DOWNLOAD_SLOT_DIR", "")
    if named:
        return Path(named)
    location = settings.CACHES["default"].get("LOCATION")
    if (
        "filebased" in settings.CACHES["default"]["BACKEND"].lower()
        or "filecache" in settings.CACHES["default"]["BACKEND"].lower()
    ):
        return Path(location) / "download-slots"
    return (
        Path(tempfile.gettempdir())
        / f"tracker-download-slots-{hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:12]}"
    )


# The slot each thread holds. A server thread answers one request at a time and closes each response before
# it takes the next, so a slot its thread still holds when a new request comes belongs to a response nobody
# reads any more (the test client leaves unread responses open): it is given back first.
_held = threading.local()


def release_held():
    """Give back the slot this thread holds, if any."""
    earlier = getattr(_held, "slot", None)
    if earlier is not None:
        earlier.release()


def take_slot():
    """One of the DOWNLOAD_SLOTS slots, or None when all are in use; at most one per thread."""
    release_held()
    _held.slot = slot = free_slot()
    return slot


def free_slot():
    slots = setting("DOWNLOAD_SLOTS", 2)
    if shared_cache():
        token = uuid.uuid4().hex
        for number in range(slots):
            key = f"download-slot:{number}"
            if cache.add(key, token, CacheSlot.LEASE):
                return CacheSlot(key, token)
        return None
    directory = slot_directory()
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(slots):
        fd = os.open(directory / f"slot-{number}", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return LockSlot(fd)
    return None


def busy():
    response = HttpResponse(BUSY, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(setting("DOWNLOAD_RETRY_AFTER", 30))
    return response


def holding(response, slot):
    """The response keeps the slot while it streams and gives it back when the server closes it."""
    if response.streaming:
        content = response.streaming_content

        def kept():
            for block in content:
                slot.keep()
                yield block

        response.streaming_content = kept()
    # Closed by the server after the last byte, or when the reader goes away (also unread, as for HEAD).
    response._resource_closers.append(slot.release)
    return response


# --- Whole lists as files ---------------------------------------------------------


def complete(name):
    """Is the file whole? Its marker is stored after it (and after its compressed copy)."""
    try:
        return storage().exists(name + COMPLETE)
    except OSError:
        return False


def save(name, file):
    """Store one file under its exact name; a copy another process stored first is kept, ours dropped."""
    store = storage()
    file.seek(0)
    saved = store.save(name, File(file, name=os.path.basename(name)))
    if saved != name:
        store.delete(saved)


def finished(name, file, compressed=None):
    """Store a whole list's file (and its gzip copy), then its marker; remove the files of other versions."""
    save(name, file)
    if compressed is not None:
        save(name + ".gz", compressed)
    save(name + COMPLETE, _Bytes(b"ok\n"))
    remove_other_versions(name.split("/")[1])


class _Bytes:
    def __init__(self, data):
        self.data, self.position = data, 0

    def seek(self, position):
        self.position = position

    def read(self, size=-1):
        data = self.data[self.position :] if size < 0 else self.data[self.position : self.position + size]
        self.position += len(data)
        return data

    @property
    def size(self):
        return len(self.data)


def remove_other_versions(version):
    """Files of earlier data versions (and of another database) are never served again: delete them.

    Never a later version's: a slow writer of an older version may finish after the newer one is stored.
    """
    ours = dataset.folder_version(version)
    store = storage()
    try:
        folders, _ = store.listdir(FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return
    for folder in folders:
        other = dataset.folder_version(folder)
        if ours is None or other is None or folder == version or (other[0] == ours[0] and other[1] > ours[1]):
            continue
        remove_tree(store, f"{FOLDER}/{folder}")


def remove_tree(store, path):
    try:
        folders, files = store.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        try:
            store.delete(f"{path}/{name}")
        except FileNotFoundError:
            pass
    for folder in folders:
        remove_tree(store, f"{path}/{folder}")
    try:
        store.delete(path)  # the emptied directory, where the storage has directories
    except OSError:
        pass


def claim(name):
    """The right to write a whole list's file, for one process at a time: a release function, or None."""
    key = f"download-build:{name}"
    token = uuid.uuid4().hex
    if not cache.add(key, token, CLAIM_SECONDS):
        return None

    def release():
        if cache.get(key) == token:
            cache.delete(key)

    return release


def accepts_gzip(request):
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def served_file(request, name, filename, format):
    """A stored whole list's file, sent by the proxy when the settings say one serves them, else by Django."""
    content_type = CONTENT_TYPES[format]
    disposition = f'attachment; filename="{filename}"'
    prefix = setting("DOWNLOAD_ACCEL_PREFIX", "")
    store = storage()
    if prefix:
        # nginx opens the file itself (an `internal` location on the storage's folder): with `gzip_static on`
        # it sends the compressed copy stored beside a CSV to readers that accept it.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name.removeprefix(FOLDER + "/"))
        response["Content-Disposition"] = disposition
        return response
    if setting("DOWNLOAD_SENDFILE", False) and isinstance(store, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = store.path(name)
        response["Content-Disposition"] = disposition
        return response
    gzipped = format == "csv" and accepts_gzip(request) and store.exists(name + ".gz")
    try:
        file = store.open(name + ".gz" if gzipped else name, "rb")
    except OSError:  # removed by a newer version's writer since it was found
        return None
    response = FileResponse(file, content_type=content_type)
    response.block_size = BLOCK
    response["Content-Disposition"] = disposition
    if format == "csv":
        patch_vary_headers(response, ["Accept-Encoding"])
    if gzipped:
        # Compressed once when written; GZipMiddleware leaves a response that has an encoding alone.
        response["Content-Encoding"] = "gzip"
    return response


def writing(blocks, name, release_claim):
    """The CSV's blocks, also written to a temporary file and its gzip copy, stored as `name` once all are sent.

    If the reader goes away first, nothing is stored: the next reader writes the file.
    """
    raw = tempfile.TemporaryFile()
    compressed = tempfile.TemporaryFile()
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: a gzip header, as .gz files have
    try:
        for block in blocks:
            data = block.encode() if isinstance(block, str) else bytes(block)
            raw.write(data)
            compressed.write(packer.compress(data))
            yield data
        compressed.write(packer.flush())
        finished(name, raw, compressed)
    finally:
        raw.close()
        compressed.close()
        release_claim()


def sheet_columns(name, header):
    """The workbook's view of a list's columns (events/columns.py): headings in words, addresses as links."""
    columns = {column.name: column for column in TABLES.get(name, ())}
    if set(header) - columns.keys():
        return None  # a list without documented columns keeps its CSV names
    return [
        SheetColumn(
            name=column,
            label=column_label(column),
            link=columns[column].type is URI,
            description=columns[column].description,
        )
        for column in header
    ]


def list_download(request, format, name, header, rows, *, variant=None, body=None):
    """A list's CSV or XLSX: from its stored file for a whole list, else read now, under the cap.

    rows(): the list's rows; body(): for a CSV, its blocks already written by the database (COPY),
    instead. variant: whole_list()'s answer.
    """
    filename = f"{name}.{format}"
    stored = stored_name(request, name, format, variant) if variant is not None else None
    if stored is not None and complete(stored):
        response = served_file(request, stored, filename, format)
        if response is not None:
            return response
    release_claim = claim(stored) if stored is not None else None
    if stored is not None and release_claim is None and format == "xlsx":
        # Another process is building this very workbook: the reader gets it from the file in a moment.
        return busy()
    slot = take_slot()
    if slot is None:
        if release_claim:
            release_claim()
        return busy()
    if format == "xlsx":
        try:
            file = xlsx_file(header, rows(), filename, columns=sheet_columns(name, header))
            if release_claim:
                finished(stored, file)
        finally:
            slot.release()
            if release_claim:
                release_claim()
        file.seek(0)
        return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)
    response = csv_response(filename, header, () if body is not None else rows(), body=body() if body else None)
    if release_claim:
        response.streaming_content = writing(response.streaming_content, stored, release_claim)
        response._resource_closers.append(release_claim)
    return holding(response, slot)
