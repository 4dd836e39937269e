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

The number of keys is rounded up to one of SIZES, by repeating the last key
(`IN (1, 2, 2, 2)` finds what `IN (1, 2)` finds); more keys than the largest
size, and a query whose SQL does not show each placeholder, run as a plain
queryset.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections, router

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
        with connection.cursor() as cursor:
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
        return sql, tuple(params), places, compiler
