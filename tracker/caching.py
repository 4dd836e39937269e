"""Cached public reads, fresh after every write, and stale only after a write to what they read.

Every public write (save, delete, QuerySet.update, bulk_create, delete, an
import, the demo generator, a restore) moves two numbers in the database,
in the same transaction: the data version (one for all the data) and the
version of the table written (tracker.publishing.TableVersion). A request
reads them all once (one small query).

A cached page or value is kept with the numbers of the tables it read:
while it is computed, every SQL statement the connection runs is noted
(by the tables it names), and a cached value read inside the computation
brings its own tables. It is served while none of those numbers has moved,
so a published figure leaves the registry's pages and counts standing and
a new detention leaves the timeline's, with no list of keys or
dependencies to keep by hand: what a page reads is what it depends on.
Keys carry the random epoch the database was made with, so a cache shared
by several databases (a test run, a reseeded demo) never mixes them, and a
hash of the code and templates served (code_key), so that a new release
never reads what an older one cached: a page of old templates, a row of
fewer fields.

Values are kept where the CACHES setting says: by default in files under
var/cache, shared by the server's worker processes (tracker/filecache.py);
with REDIS_URL, in Redis, shared by every server. Pages are kept
compressed, and sent so to clients that accept gzip.

Fixture loads (`loaddata`) save raw and move nothing; cached values also
expire after CACHE_SECONDS, so even those show within minutes (and a
restarted server starts empty).
"""

import collections
import contextvars
import functools
import gzip
import hashlib
import re
import threading
import time
import uuid
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.backends.signals import connection_created
from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_vary_headers

# data_changed() writes the version beside the model it bumps; writers outside the publishing base call it from here.
from tracker.publishing import DataVersion, TableVersion, versioned_tables
from tracker.publishing import data_changed as data_changed

CACHE_SECONDS = 600
# A page not cached is compressed once on its way out: level 3 took 0.32 ms for a 58 kB timeline page and
# 0.70 ms for a 131 kB measure page against level 6's 0.74 and 1.60, for 8-14% more bytes (15.9 kB against
# 14.7, 22.2 against 19.5): on two cores the CPU is what a burst of new pages waits for.
GZIP_LEVEL = 3
# (data version, epoch, {table: number}) as this request read them, or None.
_version = DataVersion.last_read


def read_version(using=None):
    """The data version, the database's epoch and every table's version: one query per request."""
    version = _version.get()
    if version is None:
        using = using or router.db_for_read(DataVersion)
        connection = connections[using]
        quote = connection.ops.quote_name
        data, tables = DataVersion._meta, TableVersion._meta
        sql = (
            f"SELECT {quote('number')}, {quote('epoch')}, NULL FROM {quote(data.db_table)} WHERE {quote('id')} = 1 "
            f"UNION ALL SELECT {quote('number')}, NULL, {quote('db_table')} FROM {quote(tables.db_table)}"
        )
        number, epoch, numbers = 0, None, {}
        with connection.cursor() as cursor:
            cursor.execute(sql)
            for value, row_epoch, table in cursor.fetchall():
                if table is None:
                    number, epoch = value, row_epoch
                else:
                    numbers[table] = value
        if epoch is not None and not isinstance(epoch, uuid.UUID):
            epoch = uuid.UUID(str(epoch))
        version = (number, epoch, numbers)
        _version.set(version)
    return version


def data_version(using=None):
    """The current data version (a number that grows with every public write)."""
    return read_version(using)[0]


def version_key():
    """The data version as keys of the whole data's products carry it (the data package): the epoch and its number."""
    number, epoch, _ = read_version()
    return f"{epoch.hex if epoch else '-'}.{number}"


def epoch_key():
    """The database's epoch and the code's hash (code_key), which every cache key carries."""
    epoch = read_version()[1]
    return f"{epoch.hex if epoch else '-'}.{code_key()}"


@functools.cache
def code_key():
    """A short hash of what this process serves with: the project's apps' code, its templates and static files.

    Read once per process (about 1.5 MB, 7 ms). Servers of one release share their cached values (the same
    hash); during a rolling release the old and the new each read their own, and a deploy needs no
    step to empty the shared cache.
    """
    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR)
    # The project's own apps: not those installed in a virtual environment inside its folder.
    roots = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in Path(config.path).parts
    ]
    roots += [Path(folder) for template in settings.TEMPLATES for folder in template.get("DIRS", ())]
    roots += [Path(folder) for folder in getattr(settings, "STATICFILES_DIRS", ())]
    digest = hashlib.sha256()
    for path in sorted({file for root in roots for file in root.rglob("*") if file.is_file()}):
        if "__pycache__" in path.parts or path.suffix in {".pyc", ".mo"}:
            continue
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


# --- Which tables a computation read -------------------------------------------------------

# The tables noted by the computation running now (a set), or None when nothing is noted.
_reading = contextvars.ContextVar("tables_read", default=None)


# Tables the database keeps from record tables (by triggers, or refreshed views): a value read from one is
# stale when a table it is kept from is written. Their home declares them with derived_table().
_derived = {}


def derived_table(table, *sources):
    """Declare that `table` is kept from the record tables `sources`: reading it is reading them."""
    _derived[table] = frozenset(sources)


def derived_tables():
    """{table: the record tables it is kept from}, every derived table declared."""
    return dict(_derived)


# SQLite's trigram index of the people's search keys (tracker/migrations/0006_sqlite_name_search.py).
derived_table("tracker_person_search", "tracker_person")
# The registry's totals per custody status, kept by triggers (tracker/migrations/0008_registry_totals.py).
derived_table("tracker_personcustody", "tracker_person", "tracker_detention")
derived_table("tracker_registrytotal", "tracker_person", "tracker_detention")
# The registry's orders per filter value, kept by triggers (tracker/migrations/0012_registry_facets.py).
derived_table("tracker_personfacet", "tracker_person", "tracker_detention", "tracker_charge")
# The registry's per-day count changes, kept by triggers (tracker/migrations/0010_day_counts.py).
derived_table("tracker_daycount", "tracker_detention", "tracker_person")
# What each source backs in public, kept by triggers (tracker/migrations/0009_source_ties.py).
derived_table(
    "tracker_sourcetie",
    "tracker_detentionsource",
    "tracker_detention",
    "tracker_person",
    "events_citation",
    "events_figure",
    "events_event",
)


@functools.cache
def _table_names():
    """A pattern finding the tables of the apps with records that an SQL statement names, quoted or not."""
    prefixes = sorted({table.split("_", 1)[0] for table in versioned_tables()})
    return re.compile(r"\b((?:" + "|".join(re.escape(prefix) for prefix in prefixes) + r")_\w+)\b")


def _note_tables(execute, sql, params, many, context):
    found = _reading.get()
    if found is not None:
        found.update(_table_names().findall(sql))
    return execute(sql, params, many, context)


def read_tables(names):
    """The record tables behind the tables a computation named: derived tables stand for theirs, others are not data."""
    versioned = set(versioned_tables())
    tables = set()
    for name in names:
        if name in versioned:
            tables.add(name)
        elif name in _derived:
            tables |= _derived[name]
    return tables


def _watch(sender, connection, **kwargs):
    if _note_tables not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_tables)


connection_created.connect(_watch, dispatch_uid="tracker.caching.watch")


def compute_noting_tables(compute):
    """compute()'s value and the numbers of the tables it read (with those of cached values it used)."""
    numbers = read_version()[2]
    # Connections opened before this module was imported had no connection_created to watch them.
    for connection in connections.all(initialized_only=True):
        _watch(None, connection)
    found = set()
    token = _reading.set(found)
    try:
        value = compute()
    finally:
        _reading.reset(token)
    tables = read_tables(found)
    read_from(tables)
    return value, {table: numbers.get(table, 0) for table in tables}


def read_from(tables):
    """Note tables as read by the computation running now, if any (a cached value's, when it is used)."""
    found = _reading.get()
    if found is not None:
        found.update(tables)


def fresh(entry):
    """The value of a cache entry (numbers, value), or None if a table it was read from has been written since."""
    if entry is None:
        return None
    numbers, value = entry
    current = read_version()[2]
    if any(current.get(table, 0) != number for table, number in numbers.items()):
        return None
    read_from(numbers)
    return value


_locks = {}
_locks_lock = threading.Lock()


def computing(key):
    """A lock per cache key: when many requests miss the same key at once, one computes, the others wait for it."""
    with _locks_lock:
        if len(_locks) > 10_000:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


def cached(name, compute, *parts):
    """compute(), or the value it returned for these parts while no table it read has been written."""
    return _cached_entry(_value_key(name, parts), compute)[1]


def _value_key(name, parts):
    return ":".join(str(part) for part in ("v", epoch_key(), name, *parts))


def _cached_entry(key, compute):
    """(numbers, value): the value of `key` in the shared cache while fresh, else computed and stored."""
    entry = cache.get(key)
    if fresh(entry) is None:
        with computing(key):
            entry = cache.get(key)
            if fresh(entry) is None:
                value, numbers = compute_noting_tables(compute)
                entry = (numbers, value)
                cache.set(key, entry, CACHE_SECONDS)
    return entry


# Values this process keeps in memory beside the shared cache (remembered()): {key: (until, (numbers, value))},
# for CACHE_SECONDS at most, as the shared cache keeps them; the least recently used goes first when full.
_remembered = collections.OrderedDict()
_remembered_lock = threading.Lock()
REMEMBERED_MOST = 64


def forget_remembered():
    """Drop what this process keeps in memory (tests: a rollback takes the versions back with the data)."""
    _remembered.clear()


def remembered(name, compute, *parts):
    """cached(), with the value also kept in this process's memory while no table it read has been written.

    For a large value that many pages read several times (the registry's
    running day counts): taking it from the shared cache means unpickling it
    at each read. Its readers must never change it: every request of the
    process gets the same object. Kept while the shared cache holds it, and
    CACHE_SECONDS at most.
    """
    key = _value_key(name, parts)
    with _remembered_lock:
        until, entry = _remembered.get(key, (0, None))
        if entry is not None:
            _remembered.move_to_end(key)  # the order is the order of use, least recent first
    # Kept while the shared cache still holds the key (a look, not a read): a cleared cache clears it too.
    value = fresh(entry) if time.monotonic() < until and cache.has_key(key) else None
    if value is None:
        entry = _cached_entry(key, compute)
        value = entry[1]
        with _remembered_lock:
            _remembered[key] = (time.monotonic() + CACHE_SECONDS, entry)
            _remembered.move_to_end(key)
            # Full: the least recently used goes, so a crawler walking many measures does not push
            # out the day counts that every page reads.
            while len(_remembered) > REMEMBERED_MOST:
                _remembered.popitem(last=False)
    return value


def choices_of(key, compute, name):
    """One filter's choices, from the cached choices of a whole FilterSet (compute() gives them all)."""
    return cached(key, compute)[name]


def query_key(queryset):
    """A short key naming what a queryset selects, for values computed from it."""
    try:
        sql = str(queryset.query)
    except EmptyResultSet:  # .none(): selects nothing
        sql = ""
    return hashlib.sha256(sql.encode()).hexdigest()[:24]


class DataVersionMiddleware:
    """Each request reads the data version afresh (once, when first needed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _version.set(None)
        try:
            return self.get_response(request)
        finally:
            _version.set(None)


def understood_names(*understood):
    """The query parameters a page reads: names, and every filter of the FilterSet classes given."""
    names = set()
    for item in understood:
        if isinstance(item, str):
            names.add(item)
            continue
        for name, declared in item.base_filters.items():
            # A range filter's widget reads one parameter per suffix (start_after, start_before).
            widget = declared.extra.get("widget") or declared.field_class.widget
            suffixes = getattr(widget, "suffixes", None) or [""]
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    return frozenset(names)


def public_page(*understood):
    """Serve a public HTML page from the cache while the data has not changed.

    `understood` names the query parameters the page reads (FilterSet
    classes stand for their filters). The others (a tracking tag, junk from
    a scanner) are dropped before the view sees the request, so they change
    nothing in the answer, and the cache key is made of the understood ones
    alone, in a fixed order: random parameters cannot fill the cache with
    copies of one page. Only successful GET responses are kept, whole; public
    pages are the same for every visitor.
    """
    names = understood_names(*understood)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            kept = QueryDict(mutable=True)
            for name in sorted(set(request.GET) & names):
                # The last value, which is the one a page reads (every parameter is single-valued):
                # ?page=1&page=1 is ?page=1.
                kept[name] = request.GET[name]
            kept._mutable = False
            request.GET = kept
            # The address hashed: a query string can be longer than any cache key should be.
            address = hashlib.sha256(f"{request.path}?{kept.urlencode()}".encode()).hexdigest()
            key = ":".join(("v", epoch_key(), "page", address))
            hit = fresh(cache.get(key))
            if hit is None:
                with computing(key):
                    hit = fresh(cache.get(key))
                    if hit is None:
                        response, numbers = compute_noting_tables(lambda: view(request, *args, **kwargs))
                        if response.status_code != 200 or response.streaming or response.cookies:
                            return response
                        hit = (
                            gzip.compress(response.content, compresslevel=GZIP_LEVEL, mtime=0),
                            response["Content-Type"],
                        )
                        cache.set(key, (numbers, hit), CACHE_SECONDS)
            # The page as the cache keeps it, this time too: compressed once, not again by GZipMiddleware.
            return cached_response(request, *hit)

        wrapper.understood = names
        return wrapper

    return decorator


def cached_response(request, packed, content_type):
    """A cached page as the client takes it: compressed if it accepts gzip, else as it was made."""
    if "gzip" in request.headers.get("Accept-Encoding", "").lower():
        response = HttpResponse(packed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(packed), content_type=content_type)
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
