"""The versioned data package: every published list as CSV, described by a Frictionless datapackage.json.

A package holds timeline.csv, releases.csv, figures.csv, prisoners.csv and
sources.csv (the public CSVs, unfiltered), `datapackage.json` describing
every column (from events/columns.py), and a zip of them all. The rows are
those of the public downloads, written by the same functions, so the package
shows nothing the site does not. All five files are read in one transaction,
so they describe one moment: a figure never names an event that the timeline
file lacks.

The package /data/ serves is never older than the site: it is kept in the
"dataset" storage (STORAGES) in a folder named by the public data version it
was read at, and only the folder of the current version is served. The first
request after a public change (a withdrawn consent, a retraction, a new
record) builds the new one, while any other request meanwhile is told that
the package is being rebuilt. Every web server reads the same storage, so a
package built by one is served by all. `manage.py export_dataset DIR` also
writes a package into a directory of one's choice.
"""

import datetime
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from events.columns import TABLES, header
from events.exports import (
    Links,
    figure_rows,
    registry_csv_rows,
    release_rows,
    source_rows,
    timeline_rows,
)
from events.models import Event, Figure
from tracker import caching
from tracker.exports import cell, csv_writer
from tracker.models import Detention, Source

NAME = "political-prisoner-release-tracker"
DESCRIPTOR = "datapackage.json"
ARCHIVE = f"{NAME}.zip"
FILES = frozenset({DESCRIPTOR, ARCHIVE, *(f"{table}.csv" for table in TABLES)})
# The first part of the version: raised when a column is renamed or removed.
LAYOUT = 1
# How long one request's claim to build the served package lasts if its process dies while building.
CLAIM_SECONDS = 300
CLAIM = "dataset:building"

TITLES = {
    "timeline": ("Timeline", "Every published event, newest first."),
    "releases": ("Releases", "Every published release, with its counts and the deal around it, newest first."),
    "figures": ("Figures", "Every current published figure: one claim of one source about one measure."),
    "prisoners": (
        "Prisoners",
        "One row per published detention of each person the registry lists, by name. People whose names are "
        "withheld have no rows; people shown by initials show only their initials and the years of their dates.",
    ),
    "sources": ("Sources", "Every published source and the published facts that rest on it."),
}
PRIMARY_KEYS = {"timeline": "uid", "releases": "uid", "figures": "uid", "sources": "uid"}
FOREIGN_KEYS = {
    "releases": [("uid", "timeline", "uid")],
    "figures": [("event_uid", "timeline", "uid"), ("source_uid", "sources", "uid")],
    "prisoners": [("release_uid", "releases", "uid")],
}
LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


class DatasetError(Exception):
    """The package cannot be written where asked; the message says why."""


def rows_of(table, links):
    if table == "timeline":
        return timeline_rows(Event.objects.published().newest_first(), links)
    if table == "releases":
        return release_rows(Event.objects.published().filter(kind=Event.Kind.RELEASE), links)
    if table == "figures":
        return figure_rows(Figure.objects.published(), links)
    if table == "prisoners":
        return registry_csv_rows(Detention.objects.listed(), "", links)
    return source_rows(Source.objects.published(), links)


@contextmanager
def snapshot():
    """One read-only transaction that sees one moment of the database."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # Only the first statement of a transaction can set its isolation; inside
        # a caller's transaction (a test's), the caller's is used.
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_table(directory, table, rows):
    """One CSV file (UTF-8, no byte order mark) and its resource description."""
    path = directory / f"{table}.csv"
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv_writer(file)
        writer.writerow(header(table))
        for row in rows:
            writer.writerow([cell(value) for value in row])
            count += 1
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    title, description = TITLES[table]
    schema = {"fields": [column.field() for column in TABLES[table]], "missingValues": [""]}
    if table in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[table]
    if table in FOREIGN_KEYS:
        schema["foreignKeys"] = [
            {"fields": field, "reference": {"resource": other, "fields": key}}
            for field, other, key in FOREIGN_KEYS[table]
        ]
    return {
        "name": table,
        "path": path.name,
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": path.stat().st_size,
        "hash": f"sha256:{digest.hexdigest()}",
        "rows": count,
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": schema,
    }


def descriptor(resources, *, site_url, version, created, license):
    site = site_url.rstrip("/")
    title, path = LICENSES.get(license, (license, ""))
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": "Political prisoner release tracker",
        "description": (
            "Diplomatic events, prisoner releases, the people held and freed, and the counts that sources report: "
            "every published record, each number as a sourced, qualified, dated claim. Only public data: people "
            "whose names are withheld appear in counts, never by name."
        ),
        "version": version,
        "created": created.isoformat(timespec="seconds"),
        "homepage": site + reverse("events:data"),
        "licenses": [{"name": license, "title": title, **({"path": path} if path else {})}],
        "sources": [{"title": "Political prisoner release tracker", "path": site + "/"}],
        "resources": resources,
    }


def version_of(created):
    """LAYOUT.YYYYMMDD.HHMMSS: sorts by build time; the first part changes only with the columns."""
    return f"{LAYOUT}.{created:%Y%m%d}.{int(created.strftime('%H%M%S'))}"


def check_target(directory):
    """Refuse to replace a directory that holds anything but an earlier package."""
    if directory.exists() and not directory.is_dir():
        raise DatasetError(f"{directory} is a file, not a directory.")
    if directory.is_dir():
        entries = set(os.listdir(directory))
        ours = {DESCRIPTOR, ARCHIVE, *(f"{table}.csv" for table in TABLES)}
        if entries and not (DESCRIPTOR in entries and entries <= ours):
            raise DatasetError(
                f"{directory} holds other files than a data package; choose a new or empty directory, "
                "or one this command wrote before."
            )


def write_tables(staging, site_url):
    """Every CSV file of the package, into `staging`; call it inside snapshot(). Their resource descriptions."""
    links = Links(site_url)
    return [write_table(staging, table, rows_of(table, links)) for table in TABLES]


def finish(staging, resources, *, site_url, license, created=None):
    """The descriptor and the zip, beside the CSV files in `staging`; the descriptor."""
    created = created or timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    package = descriptor(resources, site_url=site_url, version=version_of(created), created=created, license=license)
    (staging / DESCRIPTOR).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with zipfile.ZipFile(staging / ARCHIVE, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in [DESCRIPTOR, *(resource["path"] for resource in resources)]:
            archive.write(staging / name, arcname=f"{NAME}/{name}")
    return package


def build(directory, *, site_url, license="CC-BY-4.0", created=None):
    """Write the package into `directory` (replacing an earlier package there); its descriptor."""
    directory = Path(directory).resolve()
    check_target(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-building-", dir=directory.parent))
    try:
        with snapshot():
            resources = write_tables(staging, site_url)
        package = finish(staging, resources, site_url=site_url, license=license, created=created)
        replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return package


def replace(staging, directory):
    """Put the new package where the old one was, in two renames."""
    if directory.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{directory.name}-old-", dir=directory.parent))
        os.rename(directory, old / "package")
        os.rename(staging, directory)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, directory)
    directory.chmod(0o755)


# The package the site serves.


def storage():
    """Where the served package lives: one place that every web server reads.

    STORAGES["dataset"] when the settings name one (an object store shared by several servers), otherwise the
    files under DATASET_DIR (with several servers, a directory they all mount).
    """
    if "dataset" in settings.STORAGES:
        return storages["dataset"]
    return FileSystemStorage(location=settings.DATASET_DIR)


def stored(folder):
    """The descriptor of the package in the storage's `folder`, or None if it is not (wholly) there.

    The descriptor is written last, so a folder holding it holds the whole package.
    """
    try:
        with storage().open(f"{folder}/{DESCRIPTOR}", "rb") as file:
            package = json.load(file)
    except (OSError, ValueError):
        return None
    return package if isinstance(package, dict) and package.get("name") == NAME else None


def current():
    """(folder, descriptor) of the package of the public data as it is now; None while another request builds it.

    A package is never served past the public data version it was read at: once anything public changes
    (a name withheld, a record retracted, one published), the next request builds the package anew.
    """
    package = stored(caching.version_key())
    if package is not None:
        return caching.version_key(), package
    return publish()


def publish(*, site_url=None, license=None):
    """Build the package of the public data as it is now into the storage, unless it is there already.

    Returns (folder, descriptor), or None when another request is building a package (it takes seconds on a
    large registry): one build at a time is enough, since it reads the data as it is when it starts.
    """
    if not cache.add(CLAIM, True, CLAIM_SECONDS):
        return None
    site_url = site_url or settings.SITE_URL
    # The version is read before the files are: a change in between makes the files newer than the folder's
    # name says, never older, and the next request of the newer version builds again.
    folder = caching.version_key()
    try:
        with tempfile.TemporaryDirectory(prefix="dataset-") as staging:
            staging = Path(staging)
            with snapshot():
                package = stored(folder)
                if package is None:
                    resources = write_tables(staging, site_url)
            if package is not None:
                return folder, package
            package = finish(staging, resources, site_url=site_url, license=license or settings.DATA_LICENSE)
            # The descriptor last: until it is there, the folder is not a package.
            for name in sorted(FILES - {DESCRIPTOR}) + [DESCRIPTOR]:
                save(f"{folder}/{name}", staging / name)
    finally:
        cache.delete(CLAIM)
    remove_older(folder)
    return folder, stored(folder) or package


def save(name, path):
    """Store one file under its exact name; a copy another server stored first is kept, ours dropped."""
    store = storage()
    with open(path, "rb") as file:
        saved = store.save(name, File(file))
    if saved != name:
        store.delete(saved)


def folder_version(folder):
    """(epoch, number) of a package folder's name, or None for a name that is not one."""
    epoch, _, number = folder.rpartition(".")
    return (epoch, int(number)) if epoch and number.isdigit() else None


def remove_older(folder):
    """Delete the packages of earlier data versions (and of another database), and files an old layout left."""
    store = storage()
    try:
        folders, files = store.listdir("")
    except FileNotFoundError:
        return
    epoch, number = folder_version(folder)
    for other in folders:
        version = folder_version(other)
        if version is None or other == folder or (version[0] == epoch and version[1] > number):
            continue
        for name in store.listdir(other)[1]:
            store.delete(f"{other}/{name}")
        store.delete(other)  # the emptied directory, where the storage has directories
    for name in FILES & set(files):
        store.delete(name)
