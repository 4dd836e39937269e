"""The registry's orders per filter value, kept by the database itself (triggers), on PostgreSQL and SQLite.

A registry list filtered by an article, a facility, a year of detention or a
home region (`/prisoners/?article=342&order=newest`, `?status=held&detained_year=2025`)
was read from the detentions the filter matches, grouped per person and
sorted: 100-280 ms at 200,000 people on either database for the common
values (article 342 matches 62,000 people), for each filter, order and change
of the data, and growing with the registry. tracker_personfacet now holds a
row per listed person, custody status ('' for any) and filter value they
match, with what the orders read, so the first 2,001 people of each such list
are the first rows of an index, however large the registry:

- facet, value: 'y' and the year of a published detention's date; 'a' and
  an article the detention was charged under; 'f' and its facility, and 'r'
  and the person's home region, only for people named in full
  (events.filters.PrisonerFilter searches a facility and a region only for
  them; the year and the articles are shown, so searched, for people shown by
  initials too);
- sort_name, uid: copies of the person's, the orders' ties;
- newest, oldest: the latest and earliest date of the person's published
  detentions with that value and custody status, as the public sees it (the
  1st of January of its year for a person not named in full); no date sorts
  last ('0001-01-01' newest, '9999-12-31' oldest), as in events 0005.

Rows exist only for published people of a listed level (tracker/names.py,
frozen below) and published detentions. Any write of a person's detention,
of a charge of theirs, or of what the rows read of the person (status,
level, sort name, uid, region) recomputes that person's rows from the records:
delete then insert, never adjusted by a difference, so a trigger that runs
twice cannot drift. On PostgreSQL each trigger first locks the person
(FOR NO KEY UPDATE, as events 0005's detention trigger does), so two
transactions writing one person's rows wait for each other; TRUNCATE fires
no row trigger, so a statement trigger rebuilds the table. Plain table, not a
model. events.registry.listed_ids() reads it; tests/test_registry_facets.py
holds its lists equal to the reference query after writes on every path.
"""

from django.db import migrations

# tracker/names.py's levels as they stood when this migration was written (frozen).
LISTED_LEVELS = ("full", "initials")
NAMED_LEVELS = ("full",)

NO_NEWEST, NO_OLDEST = "0001-01-01", "9999-12-31"

TABLE = {
    "sqlite": (
        "CREATE TABLE tracker_personfacet (person_id bigint NOT NULL, custody_status varchar(20) NOT NULL, "
        "facet char(1) NOT NULL, value varchar(300) NOT NULL, sort_name varchar(300) NOT NULL, uid char(32) NULL, "
        "newest date NOT NULL, oldest date NOT NULL)"
    ),
    "postgresql": (
        "CREATE TABLE tracker_personfacet (person_id bigint NOT NULL, custody_status varchar(20) NOT NULL, "
        "facet char(1) NOT NULL, value varchar(300) NOT NULL, sort_name varchar(300) NOT NULL, uid uuid NULL, "
        "newest date NOT NULL, oldest date NOT NULL)"
    ),
}

# A person's rows, found by the triggers; and the three orders of a filter value, each along its index.
INDEXES = [
    "CREATE INDEX tracker_personfacet_person ON tracker_personfacet (person_id)",
    "CREATE INDEX tracker_personfacet_newest ON tracker_personfacet "
    "(facet, value, custody_status, newest DESC, sort_name, uid, person_id)",
    "CREATE INDEX tracker_personfacet_oldest ON tracker_personfacet "
    "(facet, value, custody_status, oldest, sort_name, uid, person_id)",
    "CREATE INDEX tracker_personfacet_name ON tracker_personfacet "
    "(facet, value, custody_status, sort_name, uid, person_id)",
]


def levels_sql(column, levels):
    return f"{column} IN ({', '.join(f"'{level}'" for level in levels)})"


def shown(vendor, date):
    """A detention's date as the public sees it: the 1st of January of its year unless named in full."""
    year_start = {"postgresql": f"date_trunc('year', {date})::date", "sqlite": f"strftime('%Y-01-01', {date})"}
    return f"CASE WHEN {levels_sql('p.identity_level', NAMED_LEVELS)} THEN {date} ELSE {year_start[vendor]} END"


def year(vendor, date):
    """The year of a date as PrisonerFilter's detained_year writes it: '2025'."""
    if vendor == "postgresql":
        return f"CAST(CAST(EXTRACT(YEAR FROM {date}) AS integer) AS text)"
    return f"CAST(CAST(strftime('%Y', {date}) AS integer) AS text)"


def facet_rows(vendor, where):
    """Every (person, custody status, facet, value) of published detentions of listed people, with its shown date."""
    columns = "p.id AS person_id, d.custody_status AS custody_status, p.sort_name AS sort_name, p.uid AS uid"
    joined = (
        "FROM tracker_person p JOIN tracker_detention d ON d.person_id = p.id{charges} "
        f"WHERE p.status = 'published' AND {levels_sql('p.identity_level', LISTED_LEVELS)} "
        f"AND d.status = 'published'{where}"
    )
    date = shown(vendor, "d.detained_on")
    return " UNION ALL ".join(
        [
            f"SELECT {columns}, 'y' AS facet, {year(vendor, 'd.detained_on')} AS value, {date} AS shown "
            + joined.format(charges="")
            + " AND d.detained_on IS NOT NULL",
            f"SELECT {columns}, 'a', c.article, {date} "
            + joined.format(charges=" JOIN tracker_charge c ON c.detention_id = d.id"),
            f"SELECT {columns}, 'f', d.facility, {date} "
            + joined.format(charges="")
            + f" AND {levels_sql('p.identity_level', NAMED_LEVELS)} AND d.facility <> ''",
            f"SELECT {columns}, 'r', p.region, {date} "
            + joined.format(charges="")
            + f" AND {levels_sql('p.identity_level', NAMED_LEVELS)} AND p.region <> ''",
        ]
    )


def filled(vendor, where=""):
    """The INSERT of the rows of the people `where` chooses (all without it), per custody status and in all ('')."""
    rows = facet_rows(vendor, where)
    dates = f"COALESCE(MAX(x.shown), '{NO_NEWEST}'), COALESCE(MIN(x.shown), '{NO_OLDEST}')"
    return (
        "INSERT INTO tracker_personfacet (person_id, custody_status, facet, value, sort_name, uid, newest, oldest) "
        f"SELECT x.person_id, x.custody_status, x.facet, x.value, x.sort_name, x.uid, {dates} FROM ({rows}) x "
        "GROUP BY x.person_id, x.custody_status, x.facet, x.value, x.sort_name, x.uid "
        f"UNION ALL SELECT x.person_id, '', x.facet, x.value, x.sort_name, x.uid, {dates} FROM ({rows}) x "
        "GROUP BY x.person_id, x.facet, x.value, x.sort_name, x.uid"
    )


def rebuild(vendor):
    return ["DELETE FROM tracker_personfacet", filled(vendor)]


REBUILD = {vendor: rebuild(vendor) for vendor in ("sqlite", "postgresql")}


def recomputed(vendor, person):
    """The statements that recompute the rows of one person (an SQL expression of their key)."""
    return [f"DELETE FROM tracker_personfacet WHERE person_id = {person}", filled(vendor, f" AND p.id = {person}")]


def charge_person(row):
    return f"(SELECT person_id FROM tracker_detention WHERE id = {row}.detention_id)"


# What a write must change for the rows to move (IS NOT: PostgreSQL spells it IS DISTINCT FROM).
CHANGED = {
    "tracker_detention": ("person_id", "status", "custody_status", "detained_on", "facility"),
    "tracker_charge": ("detention_id", "article"),
    "tracker_person": ("id", "status", "identity_level", "sort_name", "uid", "region"),
}
PEOPLE = {
    "tracker_detention": lambda row: f"{row}.person_id",
    "tracker_charge": charge_person,
    "tracker_person": lambda row: f"{row}.id",
}
NAMES = {
    "tracker_detention": "tracker_detention_facets",
    "tracker_charge": "tracker_charge_facets",
    "tracker_person": "tracker_person_facets",
}


def changed(table, different="IS NOT"):
    return " OR ".join(f"OLD.{field} {different} NEW.{field}" for field in CHANGED[table])


def sqlite_triggers():
    made = []
    for table, person in PEOPLE.items():
        name = NAMES[table]
        for operation, condition, rows in (
            ("insert", "", ["NEW"]),
            ("delete", "", ["OLD"]),
            ("update", f" WHEN {changed(table)}", ["OLD", "NEW"]),
        ):
            statements = [statement for row in rows for statement in recomputed("sqlite", person(row))]
            body = "".join(f"{statement}; " for statement in statements)
            made.append(
                f"CREATE TRIGGER {name}_{operation} AFTER {operation.upper()} ON {table} FOR EACH ROW{condition} "
                f"BEGIN {body}END"
            )
    return made


def postgresql_triggers():
    def function(name, statements):
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{' '.join(statements)} RETURN NULL; END $$"
        )

    made = [function("tracker_person_facets_rebuild", [f"{statement};" for statement in REBUILD["postgresql"]])]
    for table, person in PEOPLE.items():
        name = NAMES[table]

        def of(row, person=person):
            # The person locked first (in id order with the other row's), then their rows recomputed.
            key = person(row)
            return [
                f"PERFORM 1 FROM tracker_person WHERE id = {key} FOR NO KEY UPDATE;",
                *(f"{statement};" for statement in recomputed("postgresql", key)),
            ]

        # Nested: plpgsql may evaluate both sides of an AND, and OLD is NULL in an INSERT trigger.
        body = [
            "IF TG_OP = 'INSERT' THEN",
            *of("NEW"),
            "ELSIF TG_OP = 'DELETE' THEN",
            *of("OLD"),
            f"ELSE IF {person('OLD')} IS NOT DISTINCT FROM {person('NEW')} THEN",
            *of("NEW"),
            # Two people: locked in id order, then each recomputed.
            f"ELSE PERFORM 1 FROM tracker_person WHERE id IN ({person('OLD')}, {person('NEW')}) "
            "ORDER BY id FOR NO KEY UPDATE;",
            *(f"{statement};" for row in ("OLD", "NEW") for statement in recomputed("postgresql", person(row))),
            "END IF; END IF;",
        ]
        made += [
            function(name, body),
            f"CREATE TRIGGER {name}_write AFTER INSERT OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({changed(table, 'IS DISTINCT FROM')}) EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_person_facets_rebuild()",
        ]
    return made


DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}_{operation}"
        for name in NAMES.values()
        for operation in ("insert", "delete", "update")
    ],
    "postgresql": [
        *(f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in NAMES.values()),
        "DROP FUNCTION IF EXISTS tracker_person_facets_rebuild() CASCADE",
    ],
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    triggers = {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor]()
    for statement in [TABLE[vendor], *REBUILD[vendor], *INDEXES, *triggers]:
        schema_editor.execute(statement, params=None)
    if vendor == "sqlite":
        schema_editor.execute("ANALYZE tracker_personfacet", params=None)


def drop(apps, schema_editor):
    for statement in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DROP TABLE IF EXISTS tracker_personfacet", params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0011_registry_filter_indexes")]

    operations = [migrations.RunPython(create, drop)]
