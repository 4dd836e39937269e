"""No public page, download, API response, schema, feed, error page or data package ever holds what is not public.

The planted world (tests/planted.py) gives a withheld person, a person shown
by initials, drafts and internal notes unique marker strings. Every output
of issue 5 is fetched under every filter and ordering of its page, including
the probes aimed at the protected fields, and searched for every marker.
"""

import io
import re
import zipfile
from urllib.parse import quote_plus, urlsplit

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from events import dataset
from events.models import Event, ReleasedDetention
from tests.planted import (  # noqa: F401 (world is a fixture)
    DRAFT,
    INITIALS_MARKERS,
    NOTE,
    REGISTRY_MEASURES,
    WITHHELD_MARKERS,
    count_the_registry,
    markers_in,
    move_protected_days,
    world,
)
from tracker.models import Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

QUERIES = {
    "timeline": [
        "",
        "?kind=meeting",
        "?kind=release",
        "?country=US",
        "?country=by",
        "?order=oldest",
        "?order=newest",
        "?start=2020-01-01&end=2030-01-01",
        "?q=envoy",
        "?q=Secretus",
        "?q=witness",
    ],
    "releases": ["", "?country=BY", "?year=2024", "?year=2025", "?deprecated=1"],
    "figures": ["", "?country=BY", "?country=LT", "?deprecated=1"],
    "prisoners": [
        "",
        "?status=held",
        "?status=deported",
        "?status=released",
        "?detained_year=2021",
        "?detained_year=2022",
        "?released_year=2025",
        "?article=342",
        "?order=name",
        "?order=newest",
        "?order=oldest",
        "?q=Secretus",
        "?q=Hiddenov",
        "?q=Initialson",
        "?q=I. I.",
    ],
    "sources": ["", "?kind=ngo_report", "?kind=news_report"],
}
# The API's lists, by the name of the page they follow.
API = {
    "timeline": "events",
    "releases": "releases",
    "figures": "figures",
    "prisoners": "prisoners",
    "sources": "sources",
}
# Parameters aimed at what is hidden: a list without them refuses them, one with them finds nobody hidden.
# A region or facility only a protected person has is refused exactly as one nobody has.
PROBES = [
    "?name=Secretus",
    "?birth_year=1977",
    "?order=birth_year",
    "?ordering=-birth_year",
    "?facility=HiddenFacility",
    "?facility=InitialsFacility",
    "?search=Hiddenov",
    "?q=1977",
    "?region=HiddenRegion",
    "?region=InitialsRegion",
    "?internal_notes=NOTEMARKER",
    "?status=draft",
]


@pytest.fixture
def markers(world):
    return [DRAFT, NOTE, str(world["hidden"].uid), "1977", *WITHHELD_MARKERS, *INITIALS_MARKERS]


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(content))
        return "\n".join(
            str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None
        )
    return content.decode("utf-8")


def assert_clean(client, path, markers, allowed=(200,)):
    response = client.get(path)
    assert response.status_code in allowed, (path, response.status_code)
    text = body(response)
    # What the request itself said may be echoed (in an error message, in a next link): it is not a leak.
    # A row of the hidden person would still show their other markers.
    for values in QueryDict(urlsplit(path).query).lists():
        for value in values[1]:
            text = text.replace(value, "").replace(quote_plus(value), "")
    assert not markers_in(text, markers), (path, markers_in(text, markers))
    return response


@pytest.mark.parametrize("page", QUERIES)
def test_no_csv_xlsx_or_api_page_holds_a_marker_under_any_filter(client, markers, page):
    queries = QUERIES[page]
    for query in queries:
        assert_clean(client, f"/{page}.csv{query}", markers)
        assert_clean(client, f"/{page}.xlsx{query}", markers)
        if not (page == "prisoners" and query.startswith("?order")):
            assert_clean(client, f"/api/v1/{API[page]}/{query}", markers)
    for probe in PROBES:
        for path in (f"/{page}.csv{probe}", f"/{page}.xlsx{probe}", f"/api/v1/{API[page]}/{probe}"):
            assert_clean(client, path, markers, allowed=(200, 400))


def test_every_api_page_of_every_list_is_clean_page_by_page(client, markers):
    for name in ["events", "releases", "figures", "measures", "prisoners", "sources"]:
        path = f"/api/v1/{name}/?page_size=1"
        while path:
            response = assert_clean(client, path, markers)
            path = response.json()["next"]


def test_no_record_of_the_api_holds_a_marker_and_protected_ones_are_missing(client, world, markers):
    for name in ["events", "figures", "prisoners", "sources"]:
        for row in client.get(f"/api/v1/{name}/?page_size=500").json()["results"]:
            assert_clean(client, row["api_url"].removeprefix("http://testserver"), markers)
    assert_clean(client, f"/api/v1/prisoners/{world['hidden'].uid}/", markers, allowed=(404,))


def test_the_schema_and_its_documentation_hold_no_marker(client, markers):
    for path in ["/api/v1/", "/api/v1/schema.json", "/api/v1/schema.yaml", "/api/v1/docs/", "/api/v1/docs/?script="]:
        assert_clean(client, path, markers)


def test_timelinejs_holds_no_marker_under_any_filter(client, markers):
    for query in QUERIES["timeline"] + PROBES:
        assert_clean(client, f"/timeline.timelinejs.json{query}", markers, allowed=(200, 400))


def test_the_data_package_and_its_page_hold_no_marker(client, markers, tmp_path):
    dataset.build(tmp_path / "package", site_url="http://testserver")
    files = sorted((tmp_path / "package").iterdir())
    assert len(files) == 7
    for file in files:
        if file.suffix == ".zip":
            with zipfile.ZipFile(file) as archive:
                text = "\n".join(archive.read(name).decode() for name in archive.namelist())
        else:
            text = file.read_text()
        assert not markers_in(text, markers), (file.name, markers_in(text, markers))
        if file.suffix != ".zip":
            assert_clean(client, f"/data/package/{file.name}", markers)
    assert_clean(client, "/data/", markers)


def test_the_data_package_forgets_a_withdrawal_at_once(client, world, markers):
    """A package built before a person's consent was withdrawn is never served after it (issue 13, hole 2)."""
    from django.core.management import call_command

    call_command("export_dataset", site_url="http://testserver")
    freed = Person.objects.get(name="Maria Freed")
    assert "Maria Freed" in body(client.get("/data/package/prisoners.csv"))
    freed.identity_level = Person.IdentityLevel.WITHHELD
    freed.save()
    # Her name, her uid, and the exact day she was detained (no other record has it).
    markers = [*markers, "Maria Freed", str(freed.uid), "2020-08-09"]
    for name in ["datapackage.json", "timeline.csv", "releases.csv", "figures.csv", "prisoners.csv", "sources.csv"]:
        assert_clean(client, f"/data/package/{name}", markers)
    response = client.get(f"/data/package/{dataset.ARCHIVE}")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode()
            assert not markers_in(text, markers), (name, markers_in(text, markers))
    assert_clean(client, "/data/", markers)


# The HTML pages, the feeds and the error pages.


def html_pages(world):
    """Every public HTML page of the planted world, with the filters and probes of its lists."""
    pages = ["/", "/?country=BY", "/?country=US", "/?country=LT", "/data/", "/api/v1/docs/"]
    for page, queries in QUERIES.items():
        pages += [f"/{page}/{query}" for query in queries]
    pages += [
        "/figures/held/",
        "/figures/held/?country=LT",
        "/figures/held/?deprecated=1",
        "/figures/released-in-event/",
    ]
    pages += [f"/events/{event.uid}/" for event in Event.objects.published()]
    pages += [
        f"/prisoners/{person.uid}/"
        for person in Person.objects.published().exclude(identity_level=Person.IdentityLevel.WITHHELD)
    ]
    return pages


def test_no_html_page_holds_a_marker_under_any_filter_or_probe(client, world, markers):
    pages = html_pages(world)
    assert len(pages) > 50
    for path in pages:
        assert_clean(client, path, markers)
    for page in QUERIES:
        for probe in PROBES:
            assert_clean(client, f"/{page}/{probe}", markers, allowed=(200, 400))


def test_no_feed_holds_a_marker(client, markers):
    for path in ["/feeds/timeline.atom", "/feeds/BY.atom", "/feeds/US.atom", "/feeds/by.atom"]:
        assert_clean(client, path, markers)
    assert_clean(client, "/feeds/ZZ.atom", markers, allowed=(404,))


def test_protected_records_are_not_found_exactly_as_records_that_never_existed(client, world, markers):
    """The hidden person's page, a draft's page, a draft measure: the same 404 as a made-up address."""
    never = "00000000-0000-4000-8000-000000000000"
    draft = Event.objects.exclude(status=Status.PUBLISHED).first()
    pairs = [
        (f"/prisoners/{world['hidden'].uid}/", f"/prisoners/{never}/"),
        (f"/events/{draft.uid}/", f"/events/{never}/"),
        (f"/api/v1/prisoners/{world['hidden'].uid}/", f"/api/v1/prisoners/{never}/"),
        (f"/api/v1/events/{draft.uid}/", f"/api/v1/events/{never}/"),
    ]
    for hidden, made_up in pairs:
        protected = assert_clean(client, hidden, markers, allowed=(404,))
        missing = client.get(made_up)
        assert missing.status_code == 404
        assert body(protected).replace(hidden, "") == body(missing).replace(made_up, ""), hidden


def test_a_value_only_a_protected_person_has_is_refused_as_one_nobody_has(client, markers):
    """?region=HiddenRegion answers as ?region=Nowhere does: the refusal says nothing about who has it."""
    for name, protected in [
        ("region", "HiddenRegion"),
        ("region", "InitialsRegion"),
        ("facility", "HiddenFacility"),
        ("facility", "InitialsFacility"),
    ]:
        for path in ["/prisoners/", "/prisoners.csv", "/api/v1/prisoners/"]:
            refused = assert_clean(client, f"{path}?{name}={protected}", markers, allowed=(400,))
            nobody = client.get(f"{path}?{name}=Nowhere")
            assert nobody.status_code == 400
            assert body(refused).replace(protected, "X") == body(nobody).replace("Nowhere", "X"), (
                path,
                name,
                protected,
            )


def test_no_filtered_list_changes_when_the_withheld_person_is_removed(client, world):
    """Withheld people are counted (DOMAIN rule 2) only in one line of the registry, unfiltered or by custody
    status alone: under any other filter, every list, count and download of the registry reads the same with
    them as without them, so no combination of filters singles one out. (Other counts include withheld people
    as numbers, by design: a release's named people, the registry's counts beside the figures.)"""
    filtered = [query for query in QUERIES["prisoners"] if query and not query.startswith(("?status=", "?order="))] + [
        "?status=held&detained_year=2021",
        "?article=342&status=held",
        "?release=" + str(world["release"].uid),
        "?released_year=2025&status=deported",
    ]
    paths = [f"{path}{query}" for query in filtered for path in ("/prisoners/", "/prisoners.csv", "/api/v1/prisoners/")]
    paths = [path for path in paths if not path.startswith("/api/v1/prisoners/?order")]
    before = {path: body(client.get(path)) for path in paths}

    ReleasedDetention.objects.filter(detention__person=world["hidden"]).delete()
    world["hidden"].detentions.all().delete()
    world["hidden"].participations.all().delete()
    world["hidden"].delete()

    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert body(response) == before[path], path


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (",1977,", ["1977"]),
        ('"birth_year": 1977}', ["1977"]),
        ("<td>1977</td>", ["1977"]),
        ("sha256 9f1977ab", []),
        ("uid 4c2a-1977-4b1e", []),
        ("x Secretus y", ["Secretus"]),
        ("Hiddenov's", ["Hiddenov"]),
    ],
)
def test_a_year_marker_counts_as_a_number_of_its_own_and_names_anywhere(text, found):
    assert markers_in(text, ["1977", "Secretus", "Hiddenov"]) == found


# Restores and draft-only writes (issue 13, holes 1, 4 and 8).


def public_outputs(world):
    """Every public page, list download, API list and feed of the planted world, unfiltered and filtered."""
    paths = html_pages(world) + ["/feeds/timeline.atom", "/feeds/BY.atom"]
    for page, queries in QUERIES.items():
        paths += [f"/{page}.csv{query}" for query in queries[:3]]
        paths += [f"/api/v1/{API[page]}/{query}" for query in queries[:3]]
    return paths


def test_a_restore_from_before_a_withdrawal_brings_back_nothing(client, world, markers, login, editor):
    """Maria Freed's family withdrew consent; restoring her version from before that, by any path, names her nowhere."""
    from django.core.exceptions import ValidationError

    from tests.admin_pages import admin_url, form_data

    freed = Person.objects.get(name="Maria Freed")
    named_version = freed.history.latest()
    freed.identity_level = Person.IdentityLevel.WITHHELD
    freed.save()

    with pytest.raises(ValidationError):
        named_version.instance.save()
    with pytest.raises(ValidationError):
        Person.objects.filter(pk=freed.pk).update(identity_level=Person.IdentityLevel.FULL)
    browser = login(editor)
    url = admin_url(Person, "simple_history", freed.pk, named_version.history_id)
    assert browser.post(url, form_data(browser.get(url))).status_code == 200  # refused, with the form again

    markers = [*markers, "Maria Freed", str(freed.uid), "2020-08-09"]
    for path in public_outputs(world):
        assert_clean(client, path, markers)
    assert_clean(client, f"/prisoners/{freed.uid}/", markers, allowed=(404,))


def test_draft_only_writes_change_no_public_output(client, world, login, contributor):
    """A Contributor's drafts, and anyone's internal notes, change no byte of any public output, nor its cache."""
    from tests.admin_pages import admin_url, form_data, with_inline_row
    from tests.factories import make_citation, make_detention, make_event, make_person, make_source
    from tracker.publishing import DataVersion

    paths = public_outputs(world)
    before = {path: body(client.get(path)) for path in paths}
    version = DataVersion.objects.get(pk=1).number

    held = Person.objects.get(name="Алесь Бяляцкі").detentions.get()
    draft_release = make_event(kind=Event.Kind.RELEASE, title=f"{DRAFT} release", status=Status.DRAFT)
    browser = login(contributor)
    url = admin_url(Event, "change", draft_release.pk)
    page = form_data(browser.get(url), internal_notes=NOTE)
    assert browser.post(url, with_inline_row(page, "released_detentions", detention=held.pk)).status_code == 302
    make_citation(event=draft_release, source=make_source(title=f"{DRAFT} source", status=Status.DRAFT))
    make_detention(person=make_person(name=f"{DRAFT} Person", status=Status.DRAFT), status=Status.DRAFT)
    for record in [*Event.objects.all(), *Person.objects.all()]:
        record.internal_notes = f"{NOTE} again"
        record.save()
    Event.objects.exclude(status=Status.PUBLISHED).update(title=f"{DRAFT} retitled")

    for path in paths:
        assert body(client.get(path)) == before[path], path
    assert DataVersion.objects.get(pk=1).number == version


# The daily counts (issue 13, hole 6).


def counted_outputs(world):
    """Every public output that shows a count, and every other one: pages, charts, downloads, API lists, feeds."""
    paths = html_pages(world) + ["/feeds/timeline.atom", "/feeds/BY.atom", "/figures.csv", "/figures.xlsx"]
    paths += [f"/figures/{slug}/" for slug in REGISTRY_MEASURES]
    paths += [f"/figures/{slug}/?country=BY" for slug in REGISTRY_MEASURES]
    paths += ["/api/v1/measures/", "/api/v1/figures/?page_size=500"]
    paths += [f"/data/package/{name}" for name in sorted(dataset.FILES - {dataset.ARCHIVE})]
    for page, queries in QUERIES.items():
        paths += [f"/{page}.csv{query}" for query in queries]
        paths += [f"/api/v1/{API[page]}/{query}" for query in queries if not (page == "prisoners" and "order" in query)]
    return paths


@pytest.mark.parametrize("variant", [1, 2], ids=["another-day-of-the-month", "another-month-of-the-year"])
def test_no_public_count_tells_a_protected_persons_day_or_month(client, world, variant):
    """Their page shows the years of their dates at most: moving the days within those years changes no public byte.

    The planted world gains measures showing every registry count (held on a
    date, released and recognised in a period), with figures dated between the
    days the protected people's detentions move between: a count, a chart's
    step or a point that used their exact days would differ.
    """
    count_the_registry(world)
    paths = counted_outputs(world)
    shown = [client.get(path) for path in paths]
    assert all(response.status_code == 200 for response in shown)
    assert any(response.context and response.context.get("registries") for response in shown)
    before = {path: without_build_stamps(path, body(response)) for path, response in zip(paths, shown)}

    move_protected_days(world, variant)

    changed = [path for path in paths if without_build_stamps(path, body(client.get(path))) != before[path]]
    assert changed == []


# The data package's version and build time (on /data/ and in the package): any write to a published
# detention moves them, a change of day within the year too (tracker/public_changes.py).
BUILD_STAMPS = re.compile(
    r"\b\d+\.\d{8}\.\d+\b|built[^.<]*|\d{4}-\d\d-\d\d( at \d\d:\d\d UTC|T\d\d:\d\d:\d\d[+\-:\dZ]*)"
)


def without_build_stamps(path, text):
    return BUILD_STAMPS.sub("", text) if path.startswith("/data/") else text
