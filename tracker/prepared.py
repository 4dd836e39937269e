"""Queries of a fixed shape, built and compiled to SQL once per database connection, then run with other keys.

A page reads a few relations of the rows it lists ("the participants of these
25 events"): the same query each time but for the keys. Django builds and
compiles it anew on every request (its filters, joins and published()
conditions), which cost more than running it: about half of the event page's
time on SQLite at 200,000 people. A `Prepared` query is built once, by the
same queryset code, with placeholder keys; the SQL Django wrote for it is kept
on the connection, and each run puts the real keys where the placeholders
were. Nothing about which rows are public moves here: the SQL is the one the
queryset compiles to, conditions and all (tests/test_prepared.py holds the
rows equal to the queryset's own, on both databases).

On PostgreSQL the statement is also prepared on the server (psycopg's
prepared statements, which Django leaves off unless asked: tracker/settings.py
asks, PG_PREPARED=false does not), with every value but the keys written into
its SQL: PostgreSQL plans it once per connection instead of on every page (four
such queries of a timeline page cost 4.6-5.7 ms planned each time, 2.1-2.4 ms
prepared, at 200,000 people), and the plan still sees "status = 'published'",
which the indexes kept for published rows need.

The number of keys is rounded up to one of SIZES, by repeating the last key
(`IN (1, 2, 2, 2)` finds what `IN (1, 2)` finds); more keys than the largest
size, and a query whose SQL does not show each placeholder, run as a plain
queryset.
"""

import re

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from psycopg.sql import Literal as sql_literal
from psycopg.types.numeric import Int8Dumper

SIZES = (1, 5, 10, 25, 50, 100)
# Keys no table holds: the placeholders, found again in the compiled query's parameters.
_FIRST_PLACEHOLDER = -7_919_000_001


class Prepared:
    """`build(keys)`: a values_list() queryset of the rows of these keys (a list of ints), in the order wanted."""

    def __init__(self, build):
        self.build = build
        self.model = None

    def rows(self, keys, using=None):
        """list(build(keys).using(using)), read through the SQL compiled for this shape on this connection."""
        keys = list(keys)
        if not keys:
            return []
        size = next((size for size in SIZES if size >= len(keys)), None)
        if self.model is None:
            self.model = self.build([0]).model
        alias = using or router.db_for_read(self.model)
        if size is None:
            return list(self.build(keys).using(alias))
        connection = connections[alias]
        compiled = connection.__dict__.setdefault("_prepared_queries", {})
        entry = compiled.get((self, size))
        if entry is None:
            entry = compiled[(self, size)] = self._compile(alias, size)
        if entry is False:
            return list(self.build(keys).using(alias))
        sql, params, places, compiler = entry
        padded = keys + [keys[-1]] * (size - len(keys))
        params = list(params)
        for index, number in places:
            params[index] = padded[number]
        with _cursor(connection) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))

    def _compile(self, alias, size):
        placeholders = [_FIRST_PLACEHOLDER - number for number in range(size)]
        compiler = self.build(placeholders).using(alias).query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return False  # a condition Django knows matches nothing: the queryset says so without a query
        places = [(index, _FIRST_PLACEHOLDER - value) for index, value in enumerate(params) if value in placeholders]
        if {number for _, number in places} != set(range(size)):
            return False  # Django wrote the keys otherwise than as parameters: run as a plain queryset
        if connections[alias].vendor == "postgresql":
            return _with_literals(connections[alias], sql, params, places, compiler)
        return sql, tuple(params), places, compiler


_PARAMETER = re.compile(r"%%|%s")


def _with_literals(connection, sql, params, places, compiler):
    """The SQL with every parameter but the keys written in it, for PostgreSQL to plan once and keep.

    Only the keys stay parameters: a plan made for "status = $1" could not
    use the indexes kept for published rows alone.
    """
    connection.ensure_connection()
    keys = dict(places)
    kept, index = [], 0

    def replace(match):
        nonlocal index
        if match.group() == "%%":
            return "%%"
        position, index = index, index + 1
        if position in keys:
            kept.append((len(kept), keys[position]))
            return "%s"
        return sql_literal(params[position]).as_string(connection.connection).replace("%", "%%")

    written = _PARAMETER.sub(replace, sql)
    if index != len(params):
        return False
    return written, tuple(None for _ in kept), kept, compiler


class _PreparingCursor(psycopg.Cursor):
    """Binds on the server and prepares each statement it runs: PostgreSQL plans a shape once per connection.

    Keys go as bigint whatever their size: psycopg types a small int as
    smallint, and a statement is prepared per types, so one shape would be
    prepared again for every mix of small and large keys.
    """

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        self.adapters.register_dumper(int, Int8Dumper)

    def execute(self, query, params=None, **options):
        return super().execute(query, params, prepare=True, **options)


def _cursor(connection):
    """A cursor of the connection through Django's wrappers (tracker/caching.py notes the tables it reads).

    While queries are logged (DEBUG, a test counting them), a plain one: the
    log shows a statement with its values only when the client wrote them in.
    """
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    return connection._prepare_cursor(_PreparingCursor(connection.connection))
