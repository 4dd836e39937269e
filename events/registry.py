"""The prisoner registry's reads: who a list shows, in which order, how many, with what.

PrisonerFilter (events/filters.py) only filters; the questions a page, its
CSV and the API ask of a bound PrisonerFilter are answered here, taking it
as an argument (`listed_ids`, `listed_count`, `withheld_count`). What each
person read here may show is events/disclosure.py's; who is listed at all is
PersonQuerySet.listed() (tracker/names.py).
"""

import functools
import re
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Value
from django.db.models.expressions import RawSQL
from psycopg import ClientCursor

from events.disclosure import (
    ChargeRow,
    DetentionRow,
    Labels,
    PersonRow,
    ReleasedRow,
    ReleaseRow,
    by_shown_date,
    prisoners_select,
    shown_person,
    url_maker,
)
from events.models import Event, ReleasedDetention
from tracker.caching import cached, query_key
from tracker.models import Charge, Detention, DetentionSource, NameVariant, Person, listed_person
from tracker.models.people import FACETS, KEPT_ORDERS, counted_people, kept_facet_order, kept_order
from tracker.names import public_name
from tracker.prepared import Prepared
from tracker.publishing import Status
from tracker.search import query_keys

# --- The people of a list, in order -------------------------------------------


def with_registry_details(detentions):
    """Detentions with what a registry row or person page shows: one query per relation."""
    return (
        detentions.select_related("recognised_by")
        .prefetch_related(
            Prefetch("charges", queryset=Charge.objects.published().order_by("article", "pk")),
            Prefetch("released_detentions", queryset=ReleasedDetention.objects.published().select_related("release")),
        )
        .order_by(F("detained_on").desc(nulls_last=True), "pk")
    )


def listed_with_details(sources=False):
    """Listed people, each with their published name variants and every published detention a row shows.

    With `sources`, each detention also brings its published sources (the
    person page; the API leaves them out). Their detentions are in
    `shown_detentions`, the variants in `shown_names`.
    """
    detentions = with_registry_details(Detention.objects.published())
    if sources:
        detentions = detentions.prefetch_related(
            Prefetch(
                "detention_sources",
                queryset=DetentionSource.objects.published().select_related("source__publisher"),
                to_attr="shown_sources",
            )
        )
    return Person.objects.listed().prefetch_related(
        Prefetch("name_variants", queryset=NameVariant.objects.published().order_by("name"), to_attr="shown_names"),
        Prefetch("detentions", queryset=detentions, to_attr="shown_detentions"),
    )


# The orders by date: each person by their latest, or earliest, matching detention.
DATE_ORDERS = {"newest": Max, "oldest": Min}


def in_public_order(detentions, order, conditions=None):
    """The people with a matching detention, in the order the public sees, as a lazy queryset.

    detentions: published detentions of listed people (PrisonerFilter.qs).
    conditions: the same filters without the conditions on the person
    (own_conditions()), to choose the people by: this query asks those of
    each person itself. Defaults to `detentions`.

    The order is what the public sees: a person shown by initials sorts by
    their initials (Person.sort_name, kept by save()) and by the year of their
    detention (disclosure.by_shown_date), never by the stored name or exact
    date, which would place them among the others and so narrow down what is
    hidden. Ties are broken by the random uid, which says nothing about
    anyone. The database sorts and pages: no list of every person is built in
    memory. Each person comes with their matching detentions
    (`matching_detentions`), one query per relation for however many people
    are read.
    """
    listed = Person.objects.listed().prefetch_related(
        Prefetch("detentions", queryset=with_registry_details(detentions), to_attr="matching_detentions")
    )
    if conditions is None:
        conditions = detentions
    if order in DATE_ORDERS:
        # The latest (or earliest) matching detention of each person, by one
        # grouped join: the filter joins each person to their matching
        # detentions and the aggregate after it reads that same join.
        people = listed.filter(detentions__in=conditions).annotate(
            matching_date=DATE_ORDERS[order]("detentions__detained_on")
        )
        return people.order_by(by_shown_date(order, "matching_date"), "sort_name", "uid")
    return listed.filter(with_detention(detentions, conditions)).order_by("sort_name", "uid")


def with_detention(detentions, conditions):
    """The condition "has one of these detentions", in the shape the database reads fastest.

    Most filters match few people: the database first finds their
    detentions, then sorts those people (a semi-join). Without one, nearly
    everyone matches, and walking the people in order (the sort index) while
    checking each is the cheaper way to a page.
    """
    if query_key(detentions) != query_key(Detention.objects.listed()):
        return Q(pk__in=conditions.values("person_id"))
    return Exists(conditions.filter(person=OuterRef("pk")))


def registry_rows(people):
    """What the public may see of each person read by in_public_order()."""
    return [shown_person(person, person.matching_detentions) for person in people]


# The people the registry's pages go through, at most. Beyond them a reader
# narrows the filters or downloads the list (CSV, spreadsheet, JSON), which
# holds everyone.
MAX_LISTED = 2_000


def own_conditions(filterset):
    """The filters of a PrisonerFilter on published detentions, without the conditions on their person.

    For a query on people that asks those itself (published, listed): it
    then reads the detentions alone, not the people table twice. Never a
    list to show: its rows may belong to anyone.
    """
    detentions = Detention.objects.filter(status=Status.PUBLISHED)
    return filterset.filter_queryset(detentions) if filterset.is_bound and filterset.is_valid() else detentions


def kept_status(filterset):
    """The custody status ("" for any) of a list of every published detention filtered by custody status alone, else None."""
    if (filterset.is_bound and not filterset.is_valid()) or filterset.active_filters - {"status"}:
        return None
    if not filterset.of_every_published:
        return None
    return filterset.form.cleaned_data["status"] if "status" in filterset.active_filters else ""


# The filters that ask only about the person (PrisonerFilter.filter_name, filter_region): a list
# filtered by them, and by custody status, is read from the rows kept per person and custody status.
PERSON_FILTERS = {"q", "region"}


def person_filtered(filterset):
    """The custody status ("" for any) of a list filtered by person filters (and custody status) alone, else None.

    Such a list matches every published detention of the people it chooses
    that has that custody status: the person filters ask nothing of the
    detention.
    """
    if not filterset.is_bound or not filterset.is_valid():
        return None
    active = filterset.active_filters
    if not active & PERSON_FILTERS or active - PERSON_FILTERS - {"status"}:
        return None
    if not filterset.of_every_published:
        return None
    return filterset.form.cleaned_data["status"] if "status" in active else ""


def kept_people(filterset):
    """(custody status or "", the people the person filters choose) when only those and custody status filter, else None.

    The people are published and named in full (the person filters search only
    those), as a queryset; the kept rows add the custody status (and "listed",
    which every person named in full is). None for any other list.
    """
    status = person_filtered(filterset)
    if status is None:
        return None
    active, data = filterset.active_filters, filterset.form.cleaned_data
    people = Person.objects.named()
    if "q" in active:
        people = people.matching(data["q"])
    if "region" in active:
        people = people.filter(region=data["region"])
    return status, people.order_by()


def person_filtered_ids(people, status, order, using):
    """The keys of kept_people()'s people with a published detention in `status`, in `order`: MAX_LISTED + 1 at most.

    By name, the people matched are read first (with their names to sort
    by) and each is then checked for a kept row of the custody status by its
    key; read the other way round, PostgreSQL either hashed every kept row
    of the status or walked its people in name order hoping to meet the
    matches early (a common surname: 15-75 ms, against 6-10). Only their
    rows are read: a person filter matches every detention of theirs in the
    custody status, so the kept row's dates are those of the matching
    detentions. "listed" is not asked: every person named in full is.
    """
    by_date = order in DATE_ORDERS
    try:
        sql, params = people.values(*(("pk",) if by_date else ("pk", "sort_name", "uid"))).query.sql_with_params()
    except EmptyResultSet:  # a search with no word to look for: nobody
        return []
    if by_date:
        statement = (
            f"SELECT person_id FROM tracker_personcustody WHERE custody_status = %s AND listed "
            f"AND person_id IN ({sql}) ORDER BY {KEPT_ORDERS[order]} LIMIT %s"
        )
        params = [status, *params]
    else:
        # Read once, then sorted: without MATERIALIZED, PostgreSQL may fold the match back into a walk of an index.
        materialized = "MATERIALIZED " if connections[using].vendor == "postgresql" else ""
        statement = (
            f"WITH matched (id, sort_name, uid) AS {materialized}({sql}) SELECT id FROM matched "
            "WHERE EXISTS (SELECT 1 FROM tracker_personcustody c WHERE c.person_id = matched.id "
            "AND c.custody_status = %s) ORDER BY sort_name, uid LIMIT %s"
        )
        params = [*params, status]
    with connections[using].cursor() as cursor:
        cursor.execute(statement, [*params, MAX_LISTED + 1])
        return [person for (person,) in cursor.fetchall()]


def listed_ids(filterset, order):
    """The keys of the people the list shows, in its order: the first MAX_LISTED + 1.

    Read in one query once per filter, order and change of the data; every
    page of the list and its count are then served from them, so page 400
    costs what page 1 does and no count reads the whole registry. The same
    order as in_public_order() (a test holds them together); by date, read
    from the matching detentions' side, grouped per person, which the
    database does in one pass over them. With no filter but custody status,
    every order is read from the rows the database keeps per person and
    custody status (tracker.models.people.kept_order): an index read.
    """
    status = kept_status(filterset)
    if status is not None:
        # Any order but a date's is by name (in_public_order).
        return kept_order(status, order if order in DATE_ORDERS else "name", MAX_LISTED + 1, filterset.base.db)
    facet = kept_facet(filterset)
    if facet is not None:
        name, value, status, region = facet
        order = order if order in DATE_ORDERS else "name"
        return kept_facet_order(name, value, status, order, MAX_LISTED + 1, filterset.base.db, region=region)
    people = kept_people(filterset)
    if people is not None:
        status, chosen = people
        order = order if order in DATE_ORDERS else "name"
        read = functools.partial(person_filtered_ids, chosen, status, order, filterset.base.db)
        return cached("registry-ids", read, query_key(chosen.values("pk")), status, order)
    return cached("registry-ids", functools.partial(matched_ids, filterset, order), *ids_key(filterset, order))


def kept_facet(filterset):
    """(filter, value, custody status or "", region or None) of a list of every published detention filtered by
    one filter of FACETS (and custody status), or by a home region and one other of FACETS: its people and
    orders are kept by the database. Else None."""
    if not filterset.is_bound or not filterset.is_valid():
        return None
    chosen = filterset.active_filters - {"status"}
    others = chosen - {"region"}
    if not chosen or not chosen <= FACETS.keys() or len(others) > 1:
        return None
    if not filterset.of_every_published:
        return None
    data = filterset.form.cleaned_data
    status = data["status"] if "status" in filterset.active_filters else ""
    (name,) = others or {"region"}
    region = data["region"] if others and "region" in chosen else None
    return name, data[name], status, region


def ids_key(filterset, order):
    """What the keys of a filtered list depend on: its filters (the article's shape aside) and its order."""
    return query_key(filterset.qs.order_by()), order


def matched_ids(filterset, order):
    """listed_ids() read from the matching detentions' side: grouped per person, then sorted.

    The work grows with the detentions the filters match: the shape for the
    lists the database does not keep in order (several detention filters, a
    release, a year of release), which match fewer people.
    """
    detentions = leading_conditions(filterset, filterset.queryset)
    if order in DATE_ORDERS:
        per_person = detentions.order_by().values(
            "person_id", "person__sort_name", "person__uid", "person__identity_level"
        )
        people = per_person.annotate(matching_date=DATE_ORDERS[order]("detained_on")).order_by(
            by_shown_date(order, "matching_date", person="person__"), "person__sort_name", "person__uid"
        )
        people = people.values_list("person_id", flat=True)
    else:
        conditions = leading_conditions(filterset, Detention.objects.filter(status=Status.PUBLISHED))
        people = in_public_order(detentions, order, conditions).prefetch_related(None)
        people = people.values_list("pk", flat=True)
    return list(people[: MAX_LISTED + 1])


def leading_conditions(filterset, detentions):
    """The filters of a PrisonerFilter on `detentions`, shaped for a query that starts from what they match.

    The article's detentions then come from its index as a list
    (PrisonerFilter.filter_article); every other filter is the same.
    """
    filterset.article_leads = True
    try:
        return filterset.filter_queryset(detentions)
    finally:
        filterset.article_leads = False


def people_in_order(ids, detentions):
    """The people with these keys, in this order, each with their matching detentions: one query per relation."""
    people = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("detentions", queryset=with_registry_details(detentions), to_attr="matching_detentions")
    )
    by_id = {person.pk: person for person in people}
    return [by_id[pk] for pk in ids if pk in by_id]


def shown_detentions(filterset):
    """The detentions a page of the list shows beside its people: those its filters match (a queryset, or a
    Prepared query of the people's keys).

    For a list filtered by person filters alone, every published detention
    of its people in the custody status asked (person_filtered): read by
    their keys without asking the name search again for each (on SQLite,
    3 of a search page's 20 ms).
    A list by custody status alone (kept_status) or by person filters alone
    shows every published detention of its people in that status: read
    through a query of a fixed shape per status (tracker/prepared.py), not a
    queryset compiled, and planned on PostgreSQL, again for every page.
    """
    status = kept_status(filterset)
    if status is None:
        status = person_filtered(filterset)
    if status is None:
        return filterset.qs
    return _kept_detentions(status)


@functools.cache
def _kept_detentions(status):
    """Prepared: the published detentions of these people in the custody status ("" for any), as a page lists them."""

    def build(keys):
        # What PrisonerFilter's queryset is (its base, every published detention, of listed people only).
        detentions = Detention.objects.published().filter(listed_person("person__"))
        if status:
            detentions = detentions.filter(custody_status=status)
        return (
            detentions.filter(person_id__in=keys)
            .order_by("person_id", *DETENTION_ORDER)
            .values_list(*DetentionRow.FIELDS)
        )

    return Prepared(build)


def page_rows(ids, detentions):
    """What the public may see of the people with these keys, in this order, with their matching detentions.

    The same rows as registry_rows(people_in_order(ids, detentions)), read as
    values (read_registry_chunk, as the CSV reads them, with the releases'
    titles) rather than model instances: four queries, a few milliseconds of
    Python for a page of 25. The rows go through disclosure.shown_person()
    as every other row does.
    """
    by_pk = {values[0]: values for values in _PEOPLE.rows(ids)}
    chunk = [by_pk[pk] for pk in ids if pk in by_pk]
    if not chunk:
        return []
    people = read_registry_chunk(chunk, detentions, release_titles=True)
    return [shown_person(person, person.matching_detentions) for person in people]


# --- Counts ---------------------------------------------------------------------


class Totals(NamedTuple):
    listed: int
    withheld: int


def registry_totals(detentions):
    """The people with one of these detentions, listed and withheld, in all and per custody status: one query.

    A person with detentions in two statuses counts once in each, and once in
    all (the "" key). For every published detention, the database keeps the
    answer (tracker.models.people.counted_people); this query reads every
    detention, and stays for other sets of detentions and as the reference the
    kept totals are tested against (tests/test_registry_totals.py).
    """
    listed = listed_person("person__")
    counts = {
        "listed": Count("person", distinct=True, filter=listed),
        "withheld": Count("person", distinct=True, filter=~listed),
    }
    detentions = detentions.order_by()
    per_status = detentions.values_list("custody_status").annotate(**counts)
    in_all = detentions.annotate(everything=Value("")).values_list("everything").annotate(**counts)
    return {
        status: Totals(listed, withheld) for status, listed, withheld in per_status.union(in_all, all=True).order_by()
    }


def totals(filterset):
    """The registry_totals() row of a PrisonerFilter's list, or None once anything but custody status filters it.

    Counting withheld people under any other filter would let the count
    answer "is a withheld person held in facility X?".
    """
    if filterset.active_filters - {"status"}:
        return None
    status = filterset.form.cleaned_data["status"] if "status" in filterset.active_filters else ""
    base = filterset.base
    if "kept_totals" not in filterset.__dict__:
        # The totals the database keeps for every published detention (a few rows), read once per list.
        filterset.kept_totals = counted_people(base.db) if filterset.of_every_published else None
    if filterset.kept_totals is not None:
        return Totals(*filterset.kept_totals.get(status, (0, 0)))
    found = cached("registry-totals", functools.partial(registry_totals, base), query_key(base))
    return found.get(status, Totals(0, 0))


def withheld_count(filterset):
    """How many withheld people the list stands for; None once anything but custody status filters it."""
    found = totals(filterset)
    return None if found is None else found.withheld


def listed_count(filterset):
    """How many people the list shows, when known without a query of its own (no filter, or custody status only)."""
    found = totals(filterset)
    return None if found is None else found.listed


# --- The filters' choices ------------------------------------------------------------


def article_order(article):
    """'2', '130', '342', '361-1 part 2': the article's leading number counts as a number."""
    number = re.match(r"\d+", article)
    return (int(number.group()) if number else float("inf"), article)


def distinct_values(using="default", small=None, **lists):
    """The distinct non-empty values of some fields, sorted: one query that skips along indexes.

    `lists` maps a name to a (queryset, field) pair. For each, a step asks
    for the first value above the one before (ORDER BY field LIMIT 1), so
    the database reads a few index entries per distinct value rather than
    every row: a registry of 200,000 people has a few dozen regions,
    facilities and articles. The steps are the querysets' own SQL,
    published() rules and all, chained by recursive common table expressions
    (PostgreSQL and SQLite both have them), one per name, in one statement.

    `small` maps names to (queryset, field) pairs too, of a few thousand rows
    at most, read whole in the same statement (SELECT DISTINCT): where each
    step would join other tables again, one pass is cheaper (the figures
    not of an event: 50 ms by steps on PostgreSQL, 8 ms in one pass).
    """
    tables, selects, params, names = [], [], [], []
    for number, (name, (queryset, field)) in enumerate((small or {}).items(), start=len(lists)):
        table = f"found{number}"
        read = queryset.order_by().filter(**{f"{field}__gt": ""}).values_list(field, flat=True).distinct()
        try:
            read_sql, read_params = read.query.get_compiler(using).as_sql()
        except EmptyResultSet:
            continue
        tables.append(f"{table}(value) AS ({read_sql})")
        selects.append(f"SELECT %s, value FROM {table}")
        params += read_params
        names.append(name)
    for number, (name, (queryset, field)) in enumerate(lists.items()):
        table = f"found{number}"
        ordered = queryset.order_by(field).values_list(field, flat=True)
        # Above "", not "not equal to": the index walk then starts after the empty values.
        first = ordered.filter(**{f"{field}__gt": ""})[:1]
        # Above the value before only (which is above ""): with both bounds SQLite seeks by the first
        # and walked the index from its start at every step, reading every row.
        after = ordered.filter(**{f"{field}__gt": RawSQL(f"{table}.value", [])})[:1]
        try:
            first_sql, first_params = first.query.get_compiler(using).as_sql()
            after_sql, after_params = after.query.get_compiler(using).as_sql()
        except EmptyResultSet:  # .none(): no values, nothing to ask
            continue
        tables.append(
            f"{table}(value) AS (SELECT ({first_sql}) "
            f"UNION ALL SELECT ({after_sql}) FROM {table} WHERE {table}.value IS NOT NULL)"
        )
        selects.append(f"SELECT %s, value FROM {table} WHERE value IS NOT NULL")
        params += [*first_params, *after_params]
        names.append(name)
    values = {name: [] for name in [*lists, *(small or {})]}
    if not selects:
        return values
    sql = f"WITH RECURSIVE {', '.join(tables)} {' UNION ALL '.join(selects)}"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, (*params, *names))
        for name, value in cursor.fetchall():
            values[name].append(value)
    return {name: sorted(found) for name, found in values.items()}


# How many releases the registry's release filter lists: the newest. A page
# does not carry every release ever recorded (1,839 options, 90% of a
# registry page at 200,000 people); an older one is picked from the list of
# releases, whose every row links to its people (?release=<uid>), and is
# checked by its uid (events/filters.py: ReleaseField).
RECENT_RELEASES = 30


def registry_choices():
    """The registry filters' choices, from what the public pages show: two queries.

    Regions of people named in full, facilities of their detentions and the
    articles of listed people's charges come in one query (three index
    skips, see distinct_values()), the newest RECENT_RELEASES releases in another.
    """
    regions = Person.objects.named().filter(Exists(Detention.objects.published().filter(person=OuterRef("pk"))))
    facilities = Detention.objects.named()
    # A charge is public with its detention; the check runs per charge (by
    # key), so each step stops at the first public one.
    articles = Charge.objects.filter(Exists(Detention.objects.listed().filter(pk=OuterRef("detention_id"))))
    values = distinct_values(
        region=(regions, "region"), facility=(facilities, "facility"), article=(articles, "article")
    )
    return {
        "region": [(region, region) for region in values["region"]],
        "facility": [(facility, facility) for facility in values["facility"]],
        "article": [(article, article) for article in sorted(values["article"], key=article_order)],
        "release": [
            (str(release.uid), f"{release.title} ({release.occurred})")
            for release in Event.objects.published()
            .filter(kind=Event.Kind.RELEASE)
            .only("uid", "title", "occurred_on", "occurred_on_precision")
            .newest_first()[:RECENT_RELEASES]
        ],
    }


# --- Whole-registry downloads -------------------------------------------------------


# The order of a person's detentions, as with_registry_details() gives them.
DETENTION_ORDER = (F("detained_on").desc(nulls_last=True), "pk")


# The charges and releases of a page's detentions, built and compiled once per connection (tracker/prepared.py);
# a download's chunks of thousands run as the querysets they are.
_CHARGES = Prepared(
    lambda keys: (
        Charge.objects.published()
        .filter(detention_id__in=keys)
        .order_by("article", "pk")
        .values_list("detention_id", "article", "code", "description")
    )
)


def _releases(title):
    return Prepared(
        lambda keys: (
            ReleasedDetention.objects.published()
            .filter(detention_id__in=keys)
            .order_by("pk")
            .values_list("detention_id", "release__uid", title)
        )
    )


_RELEASES, _RELEASES_WITH_TITLES = _releases("release__uid"), _releases("release__title")
_PEOPLE = Prepared(lambda keys: Person.objects.filter(pk__in=keys).values_list(*PersonRow.FIELDS))


def read_registry_chunk(chunk, detentions, release_titles=False):
    """PersonRows (events/disclosure.py) for a chunk of people's values, with their matching detentions: three queries.

    release_titles: each release read with its title too (the registry page links it by title; the CSV by address).
    """
    person_url, event_url = url_maker("events:person"), url_maker("events:event")
    people = [PersonRow(values, person_url(values[1])) for values in chunk]
    by_pk = {person.pk: person for person in people}
    countries, labels = {}, Labels()
    if isinstance(detentions, Prepared):
        rows = detentions.rows(list(by_pk))
    else:
        rows = (
            detentions.filter(person_id__in=by_pk)
            .order_by("person_id", *DETENTION_ORDER)
            .values_list(*DetentionRow.FIELDS)
        )
    by_detention = {}
    for values in rows:
        detention = DetentionRow(values, countries, labels)
        by_detention[detention.pk] = detention
        by_pk[detention.person_id].matching_detentions.append(detention)
    if by_detention:
        for detention_id, article, code, description in _CHARGES.rows(by_detention):
            by_detention[detention_id].charges.append(ChargeRow(article, code, description))
        released = (_RELEASES_WITH_TITLES if release_titles else _RELEASES).rows(by_detention)
        for detention_id, release_uid, title in released:
            release = ReleaseRow(release_uid, event_url(release_uid), title if release_titles else None)
            by_detention[detention_id].released_detentions.append(ReleasedRow(release))
    return people


def copy_stream(detentions, base):
    """The prisoners CSV body (no header) on PostgreSQL, as COPY writes disclosure.prisoners_select(), in blocks."""
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


# How many names a search that found no one suggests.
SUGGESTED = 5


def nearest_names(query):
    """When a name search finds no one: up to SUGGESTED people the registry lists by name whose names come
    nearest, [(public name, page)], found by the same search with the last sound of each word let go
    ("Tsikhanouskiy" → those starting "Tsikhanousk…"). Only people named in full with a published detention,
    as the search itself: nobody the public may not see by name is suggested.
    """
    keys = [key[:-1] for key in query_keys(query) if len(key) > 2]
    if not keys:
        return []
    people = (
        Person.objects.named()
        .filter(Exists(Detention.objects.published().filter(person=OuterRef("pk"))))
        .matching("", keys=keys)
        .order_by("sort_name", "uid")[:SUGGESTED]
    )
    return [(public_name(person), person.get_absolute_url()) for person in people]
