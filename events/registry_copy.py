"""The prisoners CSV on PostgreSQL, written by the database itself with COPY.

A whole registry is hundreds of thousands of rows; rendered row by row in
Python it comes at a fifth of the speed PostgreSQL writes the same CSV with
`COPY (SELECT …) TO STDOUT`. So on PostgreSQL the download in the page's
default order is that COPY, of a SELECT that applies the same rules as
shown_person()/shown_detention() (events/views/registry.py):

- only the detentions the page's FilterSet selects (its SQL is the subquery);
- the name the public sees is Person.shown_name, which save() keeps from
  tracker.names.public_name, so initials come from the one public-name function;
- people shown by initials show years only (detained, released, recognised),
  and no birth year, region, occupation, facility, sentence or charge
  descriptions;
- text cells escaped against spreadsheet formulas as tracker.exports.cell does.

tests/test_registry_copy.py holds the two paths to the same bytes, row for
row, on PostgreSQL, for every identity level and awkward text; SQLite, and
the date orders, use the Python rows.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.urls import reverse
from psycopg import ClientCursor

from events.registry_rows import PLACEHOLDER
from tracker.exports import BLANKS, LEADING, MARK, TRIGGERS
from tracker.models import Detention, IdentityLevel
from tracker.publishing import Status


def literal(text):
    """A string as an SQL literal (standard_conforming_strings is on: only quotes need doubling)."""
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def labels(choices, column):
    cases = " ".join(f"WHEN {literal(value)} THEN {literal(label)}" for value, label in choices)
    return f"CASE {column} {cases} ELSE {column} END"


def escaped(expression):
    """The text cell as tracker.exports.cell writes it: an apostrophe before a formula; NULL for empty."""
    # tracker.exports._dangerous as a regular expression: apostrophes then a LEADING
    # character, or apostrophes and BLANKS then a trigger. The characters stand as they
    # are in bracket expressions ("-" first, so that it is not a range): listed rather
    # than [[:space:]], whose meaning beyond ASCII depends on the database's locale.
    # NUL cannot be in PostgreSQL text.
    leading = "".join(char for char in LEADING if char != "\0")
    triggers = "".join(sorted(TRIGGERS, key=lambda char: char != "-"))
    pattern = literal(f"^{MARK}*[{leading}]|^[{BLANKS}{MARK}]*[{triggers}]")
    return f"NULLIF(CASE WHEN ({expression}) ~ {pattern} THEN {literal(MARK)} || ({expression}) ELSE ({expression}) END, '')"


def iso(column, precision):
    """A date to its precision, as tracker.dates.date_iso writes it."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {precision} = 'year' THEN to_char({column}, 'YYYY') "
        f"WHEN {precision} = 'month' THEN to_char({column}, 'YYYY-MM') ELSE to_char({column}, 'YYYY-MM-DD') END"
    )


def url_parts(name):
    prefix, _, suffix = reverse(name, args=[PLACEHOLDER]).partition(str(PLACEHOLDER))
    return prefix, suffix


def prisoners_select(detentions, base):
    """The SELECT of the prisoners CSV and its parameters, in the registry's default order."""
    person_prefix, person_suffix = url_parts("events:person")
    event_prefix, event_suffix = url_parts("events:event")
    named = f"p.identity_level = {literal(IdentityLevel.FULL)}"
    published = literal(Status.PUBLISHED)
    matching_sql, matching_params = detentions.values("pk").query.sql_with_params()
    detained_precision = f"CASE WHEN {named} THEN d.detained_on_precision ELSE 'year' END"
    released_precision = f"CASE WHEN {named} THEN d.released_on_precision ELSE 'year' END"
    recognised_precision = f"CASE WHEN {named} THEN 'day' ELSE 'year' END"
    # The values the public may see, computed once per row in the inner SELECT;
    # the outer one escapes them. Charges are aggregated per detention in one
    # pass (a hash join), not looked up row by row.
    values = {
        "person_uid": "p.uid::text",
        "person_url": f"{literal(base + person_prefix)} || p.uid::text || {literal(person_suffix)}",
        "name": "p.shown_name",
        "is_named": f"CASE WHEN {named} THEN 'true' ELSE 'false' END",
        "birth_year": f"CASE WHEN {named} THEN p.birth_year END",
        "region": f"CASE WHEN {named} THEN p.region ELSE '' END",
        "occupation": f"CASE WHEN {named} THEN p.occupation ELSE '' END",
        "custody_status": labels(Detention.CustodyStatus.choices, "d.custody_status"),
        "country": "d.country",
        "detained": iso("d.detained_on", detained_precision),
        "detained_precision": f"CASE WHEN d.detained_on IS NOT NULL THEN {detained_precision} END",
        "released": iso("d.released_on", released_precision),
        "released_precision": f"CASE WHEN d.released_on IS NOT NULL THEN {released_precision} END",
        "release_mode": labels(Detention.ReleaseMode.choices, "d.release_mode"),
        "release_uid": "release.uid::text",
        "release_url": f"CASE WHEN release.uid IS NOT NULL THEN {literal(base + event_prefix)} || release.uid::text || {literal(event_suffix)} END",
        "facility": f"CASE WHEN {named} THEN d.facility ELSE '' END",
        "sentence": f"CASE WHEN {named} THEN d.sentence ELSE '' END",
        "articles": "charges.articles",
        "charges": f"CASE WHEN {named} THEN charges.described ELSE charges.plain END",
        "recognised_by": "recogniser.name",
        "recognised_on": iso("d.recognised_on", recognised_precision),
        "recognised_on_precision": f"CASE WHEN d.recognised_on IS NOT NULL THEN {recognised_precision} END",
    }
    # Not text, so not escaped: as tracker.exports.cell writes numbers, booleans and IDs.
    plain = {"is_named", "birth_year", "release_uid"}
    inner = ", ".join(f"{expression} AS {name}" for name, expression in values.items())
    outer = ", ".join(name if name in plain else escaped(name) for name in values)
    charge_parts = "NULLIF(c.code, ''), NULLIF(c.article, '')"
    sql = f"""
        SELECT {outer} FROM (
            SELECT {inner}, p.sort_name AS sort_key, p.uid AS person_key, d.detained_on AS detained_key, d.id AS detention_key
            FROM tracker_detention d
            JOIN tracker_person p ON p.id = d.person_id
            LEFT JOIN tracker_organization recogniser ON recogniser.id = d.recognised_by_id AND recogniser.status = {published}
            LEFT JOIN (
                SELECT rd.detention_id, min(e.uid::text)::uuid AS uid
                FROM events_releaseddetention rd JOIN events_event e ON e.id = rd.release_id
                WHERE e.status = {published}
                GROUP BY rd.detention_id
            ) release ON release.detention_id = d.id
            LEFT JOIN (
                SELECT c.detention_id,
                       string_agg(c.article, ', ' ORDER BY c.article, c.id) AS articles,
                       string_agg(NULLIF(concat_ws(' ', {charge_parts},
                                  CASE WHEN c.description <> '' THEN '(' || c.description || ')' END), ''),
                                  ' | ' ORDER BY c.article, c.id) AS described,
                       string_agg(NULLIF(concat_ws(' ', {charge_parts}), ''), ' | ' ORDER BY c.article, c.id) AS plain
                FROM tracker_charge c
                GROUP BY c.detention_id
            ) charges ON charges.detention_id = d.id
            WHERE d.id IN ({matching_sql})
        ) row
        ORDER BY sort_key, person_key, detained_key DESC NULLS LAST, detention_key
    """
    # The site's address is quoted into the statement (literal()), like the labels: the only
    # parameters are the filters'.
    return sql, matching_params


def copy_stream(detentions, base):
    """The CSV body (no header), as COPY writes it, in blocks."""
    try:
        sql, params = prisoners_select(detentions, base)
    except EmptyResultSet:  # a filter that can match nothing (.none()): no rows
        return
    with connection.cursor() as cursor:
        # COPY takes no bound parameters: the values are quoted into the statement by psycopg.
        statement = ClientCursor(cursor.cursor.connection).mogrify(sql, params)
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                yield bytes(block)
