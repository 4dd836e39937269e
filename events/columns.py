"""The columns of every CSV: name, type, meaning and an example, written once.

The CSV views write their headers from here, the /data/ page documents the
columns from here, and the data package's `datapackage.json` describes them
from here (as Frictionless Table Schema fields), so the three cannot drift
apart.
"""

from dataclasses import dataclass

from tracker.dates import Precision

# Column types, as Table Schema fields.
TEXT = {"type": "string"}
UUID = {"type": "string", "format": "uuid"}
URI = {"type": "string", "format": "uri"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "date"}
# A date only as precise as its source: 2025-12-12, 2025-09 or 2025.
PRECISE_DATE = {"type": "string", "constraints": {"pattern": r"\d{4}(-\d{2}(-\d{2})?)?"}}
PRECISION = {"type": "string", "constraints": {"enum": Precision.values}}


@dataclass(frozen=True)
class Column:
    name: str
    type: dict
    description: str
    example: str

    def field(self):
        """The column as a Table Schema field."""
        return {"name": self.name, **self.type, "description": self.description, "example": self.example}


TIMELINE = [
    Column("uid", UUID, "The event’s stable ID; it never changes.", "b1000006-0000-4000-8000-000000000004"),
    Column("url", URI, "The event’s public page.", "https://…/events/b1000006-0000-4000-8000-000000000004/"),
    Column("kind", TEXT, "What kind of event it is.", "Meeting"),
    Column("title", TEXT, "The event’s title.", "US Special Envoy John Coale meets President Alexander Lukashenko"),
    Column("summary", TEXT, "What happened, in a few sentences.", "In Minsk, US Special Envoy John Coale and …"),
    Column(
        "date",
        PRECISE_DATE,
        "When it happened, in ISO 8601, only as precise as the sources: a day, a month or a year.",
        "2025-12-12, 2025-09 or 2025",
    ),
    Column("date_precision", PRECISION, "How precise the date is: day, month or year.", "day"),
    Column(
        "end_date",
        PRECISE_DATE,
        "For events that lasted several days, the last day (ISO, to its precision); empty otherwise.",
        "2025-12-13",
    ),
    Column("end_date_precision", PRECISION, "The precision of end_date; empty without one.", "day"),
    Column("countries", TEXT, "The countries concerned, as ISO 3166 codes, separated by “ | ”.", "BY | US"),
    Column("location", TEXT, "City or place.", "Minsk"),
    Column(
        "participants",
        TEXT,
        "Who took part, each as the public pages name them (initials, or “Name withheld”, where the person asked), with their role, separated by “ | ”.",
        "John Coale (US Special Envoy) | Alexander Lukashenko (President of Belarus)",
    ),
    Column(
        "participant_urls",
        TEXT,
        "The public pages of the participants named in full, separated by “ | ”.",
        "https://…/prisoners/…/",
    ),
    Column(
        "source_uids", TEXT, "The stable IDs of the sources the event cites.", "b1000002-0000-4000-8000-000000000001"
    ),
    Column("source_urls", TEXT, "The URLs of those sources.", "https://agentictribune.com/article/…"),
    Column(
        "date_source_uid",
        UUID,
        "The stable ID of the source the date is taken from, where sources date the event differently and the "
        "editor said which; empty otherwise.",
        "b1000002-0000-4000-8000-000000000001",
    ),
    Column(
        "related_events",
        TEXT,
        "Linked events, each as “link: title” (follows, in exchange for, part of, response to, and their inverses).",
        "follows: US Special Envoy John Coale visits Belarus",
    ),
    Column(
        "related_event_uids",
        TEXT,
        "The stable IDs of the linked events, in the same order.",
        "b1000006-0000-4000-8000-000000000001",
    ),
    Column(
        "related_event_urls", TEXT, "The public pages of the linked events, in the same order.", "https://…/events/…/"
    ),
    Column(
        "figure_uids",
        TEXT,
        "The stable IDs of the current figures reported for this event.",
        "b100000c-0000-4000-8000-000000000004",
    ),
    Column(
        "figures",
        TEXT,
        "Those figures in words, with what they count and, for a count over a period, since when, in the same order.",
        "52 people released",
    ),
]

RELEASES = [
    Column(
        "uid",
        UUID,
        "The release’s stable ID (it is an event: the same ID as on the timeline).",
        "b1000006-0000-4000-8000-000000000002",
    ),
    Column("url", URI, "The release’s public page.", "https://…/events/…/"),
    Column("title", TEXT, "The release’s title.", "Release of 52 detainees, 40 of them political prisoners"),
    Column("date", PRECISE_DATE, "When it happened, in ISO 8601, to its precision.", "2025-09"),
    Column("date_precision", PRECISION, "day, month or year.", "month"),
    Column("countries", TEXT, "The countries concerned (ISO 3166 codes, “ | ” between them).", "BY | US"),
    Column("location", TEXT, "City or place.", "Minsk"),
    Column(
        "mode",
        TEXT,
        "How people were freed: each mode once, “ | ” between them; not paired with the destinations (how_freed "
        "says which went where, and of how many).",
        "Pardon | Forced deportation",
    ),
    Column(
        "destination",
        TEXT,
        "Where the people released were sent, if not home, “ | ” between places.",
        "Vilnius, Lithuania | Warsaw",
    ),
    Column(
        "destination_country", TEXT, "The countries they were sent to (ISO 3166 codes, “ | ” between them).", "LT | PL"
    ),
    Column(
        "how_freed",
        TEXT,
        "Each detail of the release in words, with “most of them” or “some of them” where the source says so, "
        "“ | ” between them.",
        "Pardon | Forced deportation to Lithuania (most of them) | Forced deportation to Poland (some of them)",
    ),
    Column(
        "named_released",
        INTEGER,
        "How many people this database links to the release, those whose names are withheld included (a number, never a name).",
        "14",
    ),
    Column(
        "figure_uids",
        TEXT,
        "The stable IDs of the counts reported for the release, best first.",
        "b100000c-0000-4000-8000-000000000005",
    ),
    Column(
        "figures",
        TEXT,
        "Those counts in words, with what they count; “(deprecated)” when the deprecated filter shows one.",
        "40 political prisoners among those released | 52 people released",
    ),
    Column(
        "in_exchange_for_uids",
        TEXT,
        "The stable IDs of the events the release was exchanged for.",
        "b1000006-0000-4000-8000-000000000003",
    ),
    Column("in_exchange_for_urls", TEXT, "Their public pages, in the same order.", "https://…/events/…/"),
    Column(
        "context_uids",
        TEXT,
        "The stable IDs of other linked events (visits it follows, what it is part of or responds to).",
        "b1000006-0000-4000-8000-000000000001",
    ),
    Column("context_urls", TEXT, "Their public pages, in the same order.", "https://…/events/…/"),
]

FIGURES = [
    Column("uid", UUID, "The figure’s stable ID.", "b100000c-0000-4000-8000-000000000002"),
    Column(
        "url",
        URI,
        "The public page of its measure, where every report of the number is listed.",
        "https://…/figures/political-prisoners-held/",
    ),
    Column("measure", TEXT, "What the figure counts.", "political prisoners held"),
    Column("measure_slug", TEXT, "The measure’s short name, as in its address.", "political-prisoners-held"),
    Column("value", INTEGER, "The number, or the lower end of a range. A number, never text.", "1200"),
    Column(
        "qualifier",
        TEXT,
        "exact, approximately, almost (just under), just_over, more_than, at_least, fewer_than, at_most or range.",
        "approximately",
    ),
    Column("upper_value", INTEGER, "For a range, its upper end; empty otherwise.", "52"),
    Column("in_words", TEXT, "The figure as the public pages read it.", "about 1,200"),
    Column("unit", TEXT, "What is counted.", "people"),
    Column("as_of", PRECISE_DATE, "The date the number describes, in ISO 8601 to its precision.", "2025-12-12"),
    Column("as_of_precision", PRECISION, "day, month or year.", "day"),
    Column(
        "period_start",
        PRECISE_DATE,
        "For a count over a period, when the period starts (ISO, to its precision).",
        "2024-07",
    ),
    Column("period_start_precision", PRECISION, "day, month or year; empty without a period.", "month"),
    Column(
        "period_end",
        PRECISE_DATE,
        "For a count over a period that has ended, when it ends (ISO, to its precision; “pardoned in 2025” "
        "starts and ends in 2025). Empty for a count still running at the as-of date.",
        "2025-12",
    ),
    Column("period_end_precision", PRECISION, "day, month or year; empty without an end.", "month"),
    Column("country", TEXT, "The country counted (ISO 3166 code).", "BY"),
    Column(
        "event_uid",
        UUID,
        "For a count of one event (a release), the event’s stable ID.",
        "b1000006-0000-4000-8000-000000000002",
    ),
    Column("event_url", URI, "That event’s public page.", "https://…/events/…/"),
    Column(
        "source_uid",
        UUID,
        "The stable ID of the source that reports the figure.",
        "b1000002-0000-4000-8000-000000000001",
    ),
    Column(
        "source_title",
        TEXT,
        "That source’s title.",
        "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release",
    ),
    Column("source_url", URI, "That source’s URL.", "https://agentictribune.com/article/…"),
    Column("attributed_to", TEXT, "The organisation the source attributes the number to, if any.", "Viasna"),
    Column(
        "quote",
        TEXT,
        "The sentence of the source that gives the number, verbatim.",
        "…approximately 1,200 political prisoners remain incarcerated…",
    ),
    Column("rank", TEXT, "preferred or normal.", "preferred"),
]

PRISONERS = [
    Column("person_uid", UUID, "The person’s stable ID.", "b1000003-0000-4000-8000-000000000005"),
    Column("person_url", URI, "The person’s public page.", "https://…/prisoners/…/"),
    Column("name", TEXT, "The name as the public pages show it: in full, or initials.", "Siarhei Tsikhanouski"),
    Column("is_named", BOOLEAN, "true when the person is named in full, false when shown by initials.", "true"),
    Column("birth_year", INTEGER, "Year of birth (named people only). A number.", "1978"),
    Column("region", TEXT, "Home region or city (named people only).", "Homiel"),
    Column("occupation", TEXT, "Occupation (named people only).", "Blogger"),
    Column(
        "custody_status",
        TEXT,
        "Held, Released, Served sentence, Pardoned, Deported, Died in custody or Unknown.",
        "Released",
    ),
    Column("country", TEXT, "The country holding the person (ISO 3166 code).", "BY"),
    Column(
        "detained",
        PRECISE_DATE,
        "When the person was detained, in ISO 8601 to its precision (the year only for people shown by initials).",
        "2020-05-29",
    ),
    Column("detained_precision", PRECISION, "day, month or year.", "day"),
    Column("released", PRECISE_DATE, "When the person was released (ISO, to its precision).", "2025-06-21"),
    Column("released_precision", PRECISION, "day, month or year.", "day"),
    Column("release_mode", TEXT, "How the detention ended.", "Pardon"),
    Column(
        "release_uid",
        UUID,
        "The stable ID of the release that freed the person.",
        "b1000006-0000-4000-8000-000000000002",
    ),
    Column("release_url", URI, "That release’s public page.", "https://…/events/…/"),
    Column("facility", TEXT, "Where the person is or was held (named people only).", "Penal colony No. 13"),
    Column("sentence", TEXT, "The sentence as pronounced (named people only).", "18 years, high-security colony"),
    Column("articles", TEXT, "The articles charged under, comma-separated.", "293, 342"),
    Column(
        "charges",
        TEXT,
        "Each charge: code, article and (named people only) description, “ | ” between them.",
        "Criminal Code 342 (organising actions that grossly violate public order)",
    ),
    Column("recognised_by", TEXT, "Who recognised the person as a political prisoner.", "Viasna"),
    Column(
        "recognised_on", PRECISE_DATE, "When, in ISO 8601 (the year only for people shown by initials).", "2020-06-01"
    ),
    Column("recognised_on_precision", PRECISION, "day or year.", "day"),
]

SOURCES = [
    Column("uid", UUID, "The source’s stable ID.", "b1000002-0000-4000-8000-000000000001"),
    Column("url", URI, "The source’s entry on the public sources page.", "https://…/sources/#source-…"),
    Column(
        "title", TEXT, "The source’s title.", "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release"
    ),
    Column("publisher", TEXT, "Who published it.", "Agentic Tribune"),
    Column(
        "kind", TEXT, "News report, NGO report, official statement, court record or social media post.", "News report"
    ),
    Column("language", TEXT, "The language it is written in.", "en"),
    Column("source_url", URI, "Where the source is published.", "https://agentictribune.com/article/…"),
    Column("published_on", DATE, "When it was published (ISO 8601).", "2025-12-12"),
    Column("retrieved_on", DATE, "When it was read for this database (ISO 8601).", "2025-12-13"),
    Column("archive_url", URI, "An archived copy.", "https://web.archive.org/web/…"),
    Column("archive_sha256", TEXT, "The SHA-256 of the archived copy.", "9f86d08188…"),
    Column(
        "named_detentions",
        INTEGER,
        "How many published detentions of people named in full the source documents. A number.",
        "1",
    ),
    Column(
        "event_uids",
        TEXT,
        "The stable IDs of the published events citing it, in date order.",
        "b1000006-0000-4000-8000-000000000001",
    ),
    Column("event_urls", TEXT, "Their public pages, in the same order.", "https://…/events/…/"),
    Column(
        "figure_uids",
        TEXT,
        "The stable IDs of the published figures it reports.",
        "b100000c-0000-4000-8000-000000000002",
    ),
    Column(
        "figures",
        TEXT,
        "Those figures in words, with what they count and, for a count over a period, since when, in the same order.",
        "about 1,200 political prisoners held",
    ),
]

# Each list's columns, by the name of its CSV file.
TABLES = {
    "timeline": TIMELINE,
    "releases": RELEASES,
    "figures": FIGURES,
    "prisoners": PRISONERS,
    "sources": SOURCES,
}


def header(table):
    return [column.name for column in TABLES[table]]
