"""Cached public reads, fresh after every write.

Every write to a record (save, delete, QuerySet.update, bulk_create,
delete, an import, the demo generator, a restore) adds one to a counter in
the database, the data version, in the same transaction. Cached values are
keyed by that version, and by the random epoch the database was made with,
so a value computed before a write is never read after it: a publish shows
at once, on every worker process, with no list of keys to invalidate. A
request reads the version once (one small query). Values are kept where the
CACHES setting says: by default in files under var/cache, shared by the
server's worker processes, so a page or a count computed by one is read by
all.

Fixture loads (`loaddata`) save raw and bump nothing; cached values also
expire after CACHE_SECONDS, so even those show within minutes (and a
restarted server starts empty).
"""

import functools
import hashlib
import threading

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.http import HttpResponse, QueryDict

# data_changed() writes the version beside the model it bumps; writers outside the publishing base call it from here.
from tracker.publishing import DataVersion
from tracker.publishing import data_changed as data_changed

CACHE_SECONDS = 600
_version = DataVersion.last_read


def read_version(using=None):
    """The data version and the database's epoch: one query per request."""
    version = _version.get()
    if version is None:
        version = DataVersion.objects.db_manager(using).filter(pk=1).values_list("number", "epoch").first() or (0, None)
        _version.set(version)
    return version


def data_version(using=None):
    """The current data version (a number that grows with every write)."""
    return read_version(using)[0]


def version_key():
    """The version as cache keys carry it: the database's epoch and its number."""
    number, epoch = read_version()
    return f"{epoch.hex if epoch else '-'}.{number}"


_locks = {}
_locks_lock = threading.Lock()


def computing(key):
    """A lock per cache key: when many requests miss the same key at once, one computes, the others wait for it."""
    with _locks_lock:
        if len(_locks) > 10_000:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


def cached(name, compute, *parts):
    """compute(), or the value it returned for these parts since the last write."""
    key = ":".join(str(part) for part in ("v", version_key(), name, *parts))
    value = cache.get(key)
    if value is None:
        with computing(key):
            value = cache.get(key)
            if value is None:
                value = compute()
                cache.set(key, value, CACHE_SECONDS)
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
            key = ":".join(("v", version_key(), "page", address))
            hit = cache.get(key)
            if hit is None:
                with computing(key):
                    hit = cache.get(key)
                    if hit is None:
                        response = view(request, *args, **kwargs)
                        if response.status_code == 200 and not response.streaming and not response.cookies:
                            cache.set(key, (response.content, response["Content-Type"]), CACHE_SECONDS)
                        return response
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)

        wrapper.understood = names
        return wrapper

    return decorator
