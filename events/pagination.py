"""Pagination: numbered pages for the HTML lists, keyset pages for the JSON API.

HTML lists (`page_of`): ?page=N of PER_PAGE rows, counted once per change of
the data (CountOncePaginator); a page that is not a positive number in range
is a 404.

Keyset pagination for the JSON API: every page costs the same, however deep.

An OFFSET page makes the database read and throw away every row before it,
so page 4,000 of the registry would cost 4,000 pages. Here a page is asked
for by the sort key of the last row already seen (the cursor), and the query
starts right after it: `WHERE (date, uid) < (…, …) ORDER BY date DESC, uid
DESC LIMIT n`, which an index serves directly.

Every ordering ends with `uid`, unique and never changing, so no row is
skipped or repeated when rows with the same date are split between pages, and
rows added or withdrawn while a client pages do not shift the others.

The cursor is the sort key of that last row, as URL-safe base64 of JSON. It is
not secret (it holds only values the page already showed) and it is checked
strictly: anything but values of the right types, each written exactly as
encode_cursor writes it, is a 400. JSON can spell what no database column
holds (a NUL, half of a surrogate pair): such a value never reaches a query.
"""

import base64
import binascii
import datetime
import json
import re
import uuid

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from tracker.caching import cached, query_key

# Rows per page of an HTML list.
PER_PAGE = 25
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CURSOR = "cursor"
PAGE_SIZE = "page_size"
# Longer than any text sort key (a person's sort name holds at most 300 characters),
# and than any cursor holding one (JSON writes a Cyrillic letter in six characters).
MAX_TEXT_KEY = 1000
MAX_CURSOR = 12 * MAX_TEXT_KEY
# What neither PostgreSQL (NUL) nor a UTF-8 encoder (lone surrogates) takes.
NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")
# ASCII digits: str.isdigit() is also true of "²" and "①", which int() refuses; and few of
# them, since int() refuses a string of more than 4,300 digits too.
WHOLE_NUMBER = re.compile("[0-9]{1,9}")


class CountOncePaginator(Paginator):
    """Counts a filtered list once per change of the data, not on every page view.

    A page past the first of a queryset is read in two steps of one query:
    the keys of its rows, in order, past the OFFSET (`WHERE id IN (SELECT id
    … ORDER BY … LIMIT 25 OFFSET n)`), then those rows. The database skips
    the rows before the page in an index of the order alone, without reading
    each skipped row whole: page 311 of the timeline at 20,000 events took
    PostgreSQL 9 ms as one query, 2 ms so.
    """

    @cached_property
    def count(self):
        items = self.object_list
        if isinstance(items, QuerySet):
            return cached("count", items.count, query_key(items))
        return len(items)

    def _get_page(self, object_list, number, paginator):
        # Paginator.page() chose the slice; past the first page, its keys are read as a subquery. The outer
        # query keeps the queryset's order (and what it selects and prefetches).
        items = self.object_list
        if isinstance(object_list, QuerySet) and object_list.query.low_mark and not items.query.distinct:
            object_list = items.filter(pk__in=object_list.values("pk"))
        return super()._get_page(object_list, number, paginator)


def page_of(request, items, per_page=PER_PAGE):
    """The requested page, or 404 for a page that is not a positive number in range."""
    try:
        return CountOncePaginator(items, per_page).page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        raise Http404("No such page.") from None


def query_without_page(request):
    """The request's query string less its page: for links to other pages and to downloads."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def encode_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def encode_cursor(values):
    text = json.dumps([encode_value(value) for value in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_value(text, kind):
    """One value of a cursor as `kind` (date, uuid or text), or None unless encode_cursor writes it so."""
    if not isinstance(text, str):
        return None
    if kind is datetime.date or kind is uuid.UUID:
        try:
            value = datetime.date.fromisoformat(text) if kind is datetime.date else uuid.UUID(text)
        except ValueError:
            return None
        # "20251201" is a date and "{…}" a uid to Python, but not what encode_cursor writes.
        return value if encode_value(value) == text else None
    # Text goes to the database as it is: only what a column holds, as long as a key can be.
    if len(text) > MAX_TEXT_KEY or NOT_STORABLE.search(text):
        return None
    return text


def decode_cursor(cursor, types):
    """The sort key a cursor holds, as values of `types` (date, uuid or str), or a 400."""
    invalid = ValidationError({CURSOR: ["This cursor is not one this API gave out: start again from the first page."]})
    if len(cursor) > MAX_CURSOR:
        raise invalid
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        raw = json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: a few thousand "[" nest deeper than the JSON parser goes.
        raise invalid from None
    if not isinstance(raw, list) or len(raw) != len(types):
        raise invalid
    values = [decode_value(value, kind) for value, kind in zip(raw, types)]
    if any(value is None for value in values):
        raise invalid
    return values


def after(keys, values):
    """The rows strictly after `values` in the order `keys` ("-occurred_on", "-uid", ...)."""
    condition = Q()
    equal = Q()
    for key, value in zip(keys, values):
        name = key.lstrip("-")
        step = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": value})
        condition |= equal & step
        equal &= Q(**{name: value})
    return condition


def page_size(request):
    raw = request.query_params.get(PAGE_SIZE)
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({PAGE_SIZE: [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]})
    return int(raw)


class KeysetPagination(BasePagination):
    """Pages of `view.keyset(request)`: a tuple of (field, type) ending with uid, "-" for descending."""

    # What the view adds beside the page, such as a count.
    extra = {}

    def paginate_queryset(self, queryset, request, view=None):
        keys = view.keyset(request)
        names = [key for key, _ in keys]
        size = page_size(request)
        cursor = request.query_params.get(CURSOR)
        if cursor is not None:
            queryset = queryset.filter(after(names, decode_cursor(cursor, [kind for _, kind in keys])))
        rows = list(queryset.order_by(*names)[: size + 1])
        self.request = request
        self.next = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next = encode_cursor([getattr(last, name.lstrip("-")) for name in names])
        return rows

    def next_link(self):
        if self.next is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), CURSOR, self.next)

    def get_paginated_response(self, data):
        return Response({"next": self.next_link(), **self.extra, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, with the same filters; null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": CURSOR,
                "in": "query",
                "required": False,
                "description": "Where the page starts: copy it from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": PAGE_SIZE,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
            },
        ]


class RegistryPagination(KeysetPagination):
    """The registry's pages also say how many withheld people the list leaves out."""

    def get_paginated_response_schema(self, schema):
        wrapped = super().get_paginated_response_schema(schema)
        wrapped["required"].append("withheld")
        wrapped["properties"]["withheld"] = {
            "type": "integer",
            "nullable": True,
            "description": "People with a matching detention whose names are withheld: counted, never shown. "
            "Null when filters other than status are used.",
        }
        return wrapped
