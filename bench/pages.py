"""The URLs the benchmark requests: a fixed, varied sample per page type, drawn from the generated data.

Read with plain SQL on the tables (never the application's code), so the
sample does not change when the views do. `choose_terms` picks the words and
filter values once, from the first database of a run; `page_urls` turns them
into URLs for each database, adding what only exists there (event IDs, the
releases, the last pages). So both sizes are asked the same searches and the
same filters, and each page number exists.
"""

import random
import urllib.parse
import uuid

SEED = 6
PER_PAGE = 25  # the public lists' page size; page numbers beyond it would be 404s
# The registry pages through its first 10,000 people (events/views/registry.py,
# MAX_LISTED): later pages are 404s, the downloads hold everyone.
REGISTRY_PAGES = 2_000 // PER_PAGE

# Page types, in the order of the table; LISTS are held to the list-page floor.
TYPES = [
    ("home", "home page"),
    ("timeline", "timeline, filtered"),
    ("registry", "prisoner registry, filtered"),
    ("search_cyrillic", "name search, Cyrillic"),
    ("search_latin", "name search, Latin"),
    ("event", "event page"),
    ("releases", "release ledger"),
    ("figures", "figures index"),
    ("measure", "figures of a measure"),
]
LISTS = {"timeline", "registry", "search_cyrillic", "search_latin", "releases", "figures", "measure"}

LISTED = "('full', 'initials')"
PUBLISHED_DETENTIONS = f"""
    FROM tracker_detention d JOIN tracker_person p ON p.id = d.person_id
    WHERE d.status = 'published' AND p.status = 'published' AND p.identity_level IN {LISTED}
"""


def uid(value):
    """A UUID as the URLs write it (SQLite stores it as 32 hex digits)."""
    return str(uuid.UUID(str(value)))


def url(path, **params):
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


def year_range(year):
    return (f"{year}-01-01", f"{year + 1}-01-01")


def choose_terms(db):
    """Search words and filter values, picked reproducibly from the data."""
    rng = random.Random(SEED)
    named_variants = """
        SELECT DISTINCT v.name FROM tracker_namevariant v JOIN tracker_person p ON p.id = v.person_id
        WHERE p.status = 'published' AND p.identity_level = 'full' AND v.script = %s ORDER BY v.name
    """
    terms = {}
    for script, key in (("Cyrl", "cyrillic"), ("Latn", "latin")):
        names = [row[0] for row in db.rows(named_variants, (script,))]
        picked = rng.sample(names, min(40, len(names)))
        # Half full names as typed from a news story, half the surname alone.
        terms[key] = [name if index % 2 == 0 else name.split()[-1] for index, name in enumerate(picked)]
    terms["statuses"] = ["held", "released", "pardoned", "served_sentence", "deported"]
    years = [
        row[0] for row in db.rows(f"SELECT DISTINCT d.detained_on {PUBLISHED_DETENTIONS} AND d.detained_on IS NOT NULL")
    ]
    terms["years"] = sorted({int(str(day)[:4]) for day in years})[-5:]
    terms["articles"] = [
        row[0]
        for row in db.rows(
            f"""SELECT c.article FROM tracker_charge c WHERE c.detention_id IN (SELECT d.id {PUBLISHED_DETENTIONS})
            GROUP BY c.article ORDER BY count(*) DESC, c.article LIMIT 6"""
        )
    ]
    terms["regions"] = [
        row[0]
        for row in db.rows(
            f"""SELECT p.region {PUBLISHED_DETENTIONS} AND p.identity_level = 'full' AND p.region <> ''
            GROUP BY p.region ORDER BY count(*) DESC, p.region LIMIT 4"""
        )
    ]
    terms["facilities"] = [
        row[0]
        for row in db.rows(
            f"""SELECT d.facility {PUBLISHED_DETENTIONS} AND p.identity_level = 'full' AND d.facility <> ''
            GROUP BY d.facility ORDER BY count(*) DESC, d.facility LIMIT 3"""
        )
    ]
    titles = [
        row[0] for row in db.rows("SELECT title FROM events_event WHERE status = 'published' ORDER BY uid LIMIT 2000")
    ]
    words = {}
    for title in titles:
        for word in title.split():
            word = word.strip(",.:;()«»\"'")
            if len(word) >= 6 and word.isalpha():
                words[word] = words.get(word, 0) + 1
    terms["title_words"] = [word for word, _ in sorted(words.items(), key=lambda item: (-item[1], item[0]))[:6]]
    terms["kinds"] = [
        row[0] for row in db.rows("SELECT DISTINCT kind FROM events_event WHERE status = 'published' ORDER BY kind")
    ]
    terms["countries"] = ["BY", "RU"]
    return terms


def pages(count, limit=3, most=None):
    """Page 1 and up to `limit` more that exist: the last, the second, the middle (in that order)."""
    last = max(1, -(-count // PER_PAGE))
    if most:
        last = min(last, most)
    chosen = []
    for page in (1, last, 2, max(1, last // 2)):
        if page <= last and page not in chosen:
            chosen.append(page)
    return chosen[: limit + 1]


def page_urls(db, terms):
    rng = random.Random(SEED)
    urls = {}

    urls["home"] = [url("/"), url("/", country="BY"), url("/", country="RU"), url("/", country="US")]

    # Timeline: kind × country, dates, words, people taking part; page numbers that exist.
    def event_count(where, params=()):
        return db.value(f"SELECT count(*) FROM events_event WHERE status = 'published' {where}", params)

    timeline = []
    for kind in terms["kinds"]:
        for country in [None, *terms["countries"]]:
            where, params = "AND kind = %s", [kind]
            if country:
                where += " AND countries LIKE %s"
                params.append(f"%{country}%")
            for page in pages(event_count(where, params), limit=1):
                timeline.append(url("/timeline/", kind=kind, country=country, page=page if page > 1 else None))
    for year in terms["years"][-3:]:
        start, end = f"{year}-01-01", f"{year}-12-31"
        count = event_count("AND occurred_on >= %s AND occurred_on <= %s", (start, end))
        for page in pages(count, limit=2):
            timeline.append(url("/timeline/", start=start, end=end, page=page if page > 1 else None))
        timeline.append(url("/timeline/", start=start, end=end, order="oldest"))
    for word in terms["title_words"]:
        timeline.append(url("/timeline/", q=word))
    participants = [
        row[0]
        for row in db.rows(
            """SELECT DISTINCT p.uid FROM events_participant t JOIN tracker_person p ON p.id = t.person_id
            JOIN events_event e ON e.id = t.event_id
            WHERE p.status = 'published' AND p.identity_level = 'full' AND e.status = 'published' ORDER BY p.uid"""
        )
    ]
    for value in rng.sample(participants, min(4, len(participants))):
        timeline.append(url("/timeline/", person=uid(value)))
    urls["timeline"] = timeline

    # Registry: custody status, years, articles, regions, facilities, a release, orders; several pages.
    def people(where="", params=()):
        return db.value(f"SELECT count(DISTINCT d.person_id) {PUBLISHED_DETENTIONS} {where}", params)

    registry = [url("/prisoners/")]
    registry += [url("/prisoners/", page=page) for page in pages(people(), most=REGISTRY_PAGES)[1:]]
    for status in terms["statuses"]:
        for page in pages(people("AND d.custody_status = %s", (status,)), limit=2, most=REGISTRY_PAGES):
            registry.append(url("/prisoners/", status=status, page=page if page > 1 else None))
    for year in terms["years"]:
        count = people("AND d.custody_status = 'held' AND d.detained_on >= %s AND d.detained_on < %s", year_range(year))
        for page in pages(count, limit=1, most=REGISTRY_PAGES):
            registry.append(url("/prisoners/", status="held", detained_year=year, page=page if page > 1 else None))
    for article in terms["articles"]:
        count = people(
            "AND EXISTS (SELECT 1 FROM tracker_charge c WHERE c.detention_id = d.id AND c.article = %s)", (article,)
        )
        for page in pages(count, limit=1, most=REGISTRY_PAGES):
            registry.append(url("/prisoners/", article=article, page=page if page > 1 else None))
    for region in terms["regions"]:
        registry.append(url("/prisoners/", region=region, order="newest"))
    for facility in terms["facilities"]:
        registry.append(url("/prisoners/", facility=facility))
    for year in terms["years"][-2:]:
        registry.append(url("/prisoners/", released_year=year, order="oldest"))
    releases = [
        row[0]
        for row in db.rows(
            """SELECT e.uid FROM events_event e WHERE e.status = 'published' AND e.kind = 'release'
            AND EXISTS (SELECT 1 FROM events_releaseddetention r WHERE r.release_id = e.id) ORDER BY e.uid"""
        )
    ]
    for value in rng.sample(releases, min(4, len(releases))):
        registry.append(url("/prisoners/", release=uid(value)))
    urls["registry"] = registry

    urls["search_cyrillic"] = [url("/prisoners/", q=name) for name in terms["cyrillic"]]
    urls["search_latin"] = [url("/prisoners/", q=name) for name in terms["latin"]]

    # Event pages: a few of every kind, releases (the heaviest pages) more often.
    events = []
    for kind in terms["kinds"]:
        uids = [
            row[0]
            for row in db.rows(
                "SELECT uid FROM events_event WHERE status = 'published' AND kind = %s ORDER BY uid", (kind,)
            )
        ]
        events += rng.sample(uids, min(16 if kind == "release" else 6, len(uids)))
    urls["event"] = [f"/events/{uid(value)}/" for value in events]

    release_count = event_count("AND kind = 'release'")
    ledger = [url("/releases/", page=page if page > 1 else None) for page in pages(release_count)]
    for country in terms["countries"]:
        count = event_count("AND kind = 'release' AND countries LIKE %s", (f"%{country}%",))
        if count:
            ledger += [
                url("/releases/", country=country, page=page if page > 1 else None) for page in pages(count, limit=1)
            ]
    release_years = sorted(
        {
            int(str(row[0])[:4])
            for row in db.rows("SELECT occurred_on FROM events_event WHERE status = 'published' AND kind = 'release'")
        }
    )
    for year in release_years[-3:]:
        ledger.append(url("/releases/", year=year))
    ledger.append(url("/releases/", deprecated=1))
    urls["releases"] = ledger

    figure_countries = [
        row[0]
        for row in db.rows(
            "SELECT DISTINCT country FROM events_figure WHERE status = 'published' AND country <> '' ORDER BY country"
        )
    ]
    urls["figures"] = [url("/figures/")] + [url("/figures/", country=country) for country in figure_countries[:3]]
    slugs = [
        row[0]
        for row in db.rows(
            """SELECT m.slug FROM events_measure m WHERE EXISTS
            (SELECT 1 FROM events_figure f WHERE f.measure_id = m.id AND f.status = 'published') ORDER BY m.slug"""
        )
    ]
    measure = []
    for slug in slugs:
        measure.append(f"/figures/{slug}/")
        measure.append(url(f"/figures/{slug}/", deprecated=1))
        countries = [
            row[0]
            for row in db.rows(
                """SELECT DISTINCT f.country FROM events_figure f JOIN events_measure m ON m.id = f.measure_id
                WHERE m.slug = %s AND f.status = 'published' AND f.country <> '' ORDER BY f.country""",
                (slug,),
            )
        ]
        measure += [url(f"/figures/{slug}/", country=country) for country in countries[:2]]
    urls["measure"] = measure
    return urls


# --- pages no request has asked for yet ---------------------------------------------


def fresh_urls(db, terms, sample, most=3000):
    """Per page type, URLs outside `sample` that no request has asked for: filter combinations not seen before.

    Only values that exist in the data (the filters would answer 400 for
    others), no parameter a page does not read: what a reader, or a crawler
    following the filter links, asks for. The likeliest come first (one
    filter, page 1), combinations and deeper pages after; each list is
    shuffled within those tiers and cut at `most`.
    """
    rng = random.Random(SEED + 1)
    seen = {address for urls in sample.values() for address in urls}

    def tiers(*groups):
        chosen, kept = [], set(seen)
        for group in groups:
            group = [address for address in dict.fromkeys(group) if address not in kept]
            rng.shuffle(group)
            kept.update(group)
            chosen += group
        return chosen[:most]

    fresh = {}
    event_countries = sorted(
        {
            code
            for (value,) in db.rows("SELECT DISTINCT countries FROM events_event WHERE status = 'published'")
            for code in _codes(value)
        }
    )
    # Home and the figures index read one parameter, the country: few pages. A country code
    # in another case is the same page under another address (the filters read any case),
    # which the page cache has not seen; then, for home, countries without events.
    fresh["home"] = tiers(
        [url("/", country=variant) for code in event_countries for variant in _cases(code)],
        [url("/", country=code) for code in _iso_codes() if code not in event_countries],
    )

    kinds, countries = terms["kinds"], [None, *terms["countries"]]
    # Page numbers that exist: a page past the last is a 404.
    pages_of_kind = {
        kind: -(
            -db.value("SELECT count(*) FROM events_event WHERE status = 'published' AND kind = %s", (kind,)) // PER_PAGE
        )
        for kind in kinds
    }
    event_total = db.value("SELECT count(*) FROM events_event WHERE status = 'published'")
    last = max(1, -(-event_total // PER_PAGE))
    months = sorted(
        {str(row[0])[:7] for row in db.rows("SELECT occurred_on FROM events_event WHERE status = 'published'")}
    )
    fresh["timeline"] = tiers(
        [
            url("/timeline/", kind=kind, country=country, order=order)
            for kind in kinds
            for country in countries
            for order in ("newest", "oldest")
        ]
        + [url("/timeline/", start=f"{month}-01", end=f"{month}-28") for month in months],
        [url("/timeline/", page=page) for page in range(2, min(last, 400) + 1)]
        + [
            url("/timeline/", kind=kind, page=page)
            for kind in kinds
            for page in range(2, min(pages_of_kind[kind], 40) + 1)
        ]
        + [
            url("/timeline/", country=country, start=f"{month}-01", end=f"{month}-28")
            for country in terms["countries"]
            for month in months
        ],
    )

    statuses, orders = [None, *terms["statuses"]], ["name", "newest", "oldest"]
    years = [None, *terms["years"]]
    registry_first = [
        url("/prisoners/", status=status, detained_year=year, order=order)
        for status in statuses
        for year in years
        for order in orders
    ]
    registry_first += [
        url("/prisoners/", article=article, order=order) for article in terms["articles"] for order in orders
    ]
    registry_first += [
        url("/prisoners/", region=region, order=order) for region in terms["regions"] for order in orders
    ]
    registry_first += [
        url("/prisoners/", facility=name, order=order) for name in terms["facilities"] for order in orders
    ]
    last_page = {
        status: min(
            REGISTRY_PAGES,
            -(
                -db.value(
                    f"SELECT count(DISTINCT d.person_id) {PUBLISHED_DETENTIONS}"
                    + (" AND d.custody_status = %s" if status else ""),
                    (status,) if status else (),
                )
                // PER_PAGE
            ),
        )
        for status in statuses
    }
    registry_more = [
        url("/prisoners/", status=status, order=order, page=page)
        for status in statuses
        for order in orders
        for page in range(2, last_page[status] + 1)
    ]
    registry_more += [
        url("/prisoners/", status=status, article=article, region=region)
        for status in statuses
        for article in [None, *terms["articles"]]
        for region in [None, *terms["regions"]]
    ]
    fresh["registry"] = tiers(registry_first, registry_more)

    names = """
        SELECT DISTINCT v.name FROM tracker_namevariant v JOIN tracker_person p ON p.id = v.person_id
        WHERE p.status = 'published' AND p.identity_level = 'full' AND v.script = %s ORDER BY v.name LIMIT 20000
    """
    for script, kind in (("Cyrl", "search_cyrillic"), ("Latn", "search_latin")):
        found = [row[0] for row in db.rows(names, (script,))]
        fresh[kind] = tiers(
            [url("/prisoners/", q=name.split()[-1]) for name in found],
            [url("/prisoners/", q=name) for name in found],
        )

    uids = [row[0] for row in db.rows("SELECT uid FROM events_event WHERE status = 'published' ORDER BY uid")]
    fresh["event"] = tiers([f"/events/{uid(value)}/" for value in uids])

    release_years = sorted(
        {
            int(str(row[0])[:4])
            for row in db.rows("SELECT occurred_on FROM events_event WHERE status = 'published' AND kind = 'release'")
        }
    )
    release_total = db.value("SELECT count(*) FROM events_event WHERE status = 'published' AND kind = 'release'")
    release_last = max(1, -(-release_total // PER_PAGE))
    ledger = [
        url("/releases/", country=country, year=year, deprecated=flag)
        for country in countries
        for year in [None, *release_years]
        for flag in (None, 1)
    ]
    fresh["releases"] = tiers(
        ledger,
        [url("/releases/", page=page, deprecated=flag) for page in range(2, release_last + 1) for flag in (None, 1)],
    )

    figure_countries = [
        row[0]
        for row in db.rows(
            "SELECT DISTINCT country FROM events_figure WHERE status = 'published' AND country <> '' ORDER BY country"
        )
    ]
    fresh["figures"] = tiers(
        [url("/figures/", country=variant) for code in figure_countries for variant in _cases(code)]
    )
    measure, measure_cases = [], []
    for (slug,) in db.rows(
        """SELECT m.slug FROM events_measure m WHERE EXISTS
        (SELECT 1 FROM events_figure f WHERE f.measure_id = m.id AND f.status = 'published') ORDER BY m.slug"""
    ):
        codes = [
            row[0]
            for row in db.rows(
                """SELECT DISTINCT f.country FROM events_figure f JOIN events_measure m ON m.id = f.measure_id
                WHERE m.slug = %s AND f.status = 'published' AND f.country <> '' ORDER BY f.country""",
                (slug,),
            )
        ]
        measure += [
            url(f"/figures/{slug}/", country=code, deprecated=flag) for code in [None, *codes] for flag in (None, 1)
        ]
        measure_cases += [
            url(f"/figures/{slug}/", country=variant, deprecated=flag)
            for code in codes
            for variant in _cases(code)[1:]
            for flag in (None, 1)
        ]
    fresh["measure"] = tiers(measure, measure_cases)
    return fresh


def _codes(value):
    """The country codes of an event's `countries` column (django-countries stores "BY,US")."""
    return [code for code in str(value or "").split(",") if code]


def _cases(code):
    """A two-letter code in each of its cases, as typed: BY, by, By, bY."""
    return list(
        dict.fromkeys(
            [code.upper(), code.lower(), code[:1].upper() + code[1:].lower(), code[:1].lower() + code[1:].upper()]
        )
    )


def _iso_codes():
    """Every country code a page may name (django-countries' list: a dependency's data, not the site's code)."""
    from django_countries.data import COUNTRIES

    return sorted(COUNTRIES)
