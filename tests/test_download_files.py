"""Downloads that cannot starve the site (issue #14, point 3): whole lists from a file per data version, a cap on the rest."""

import gzip
import threading

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from events import download_files, exports
from events.filters import PrisonerFilter
from tests.factories import make_charge, make_detention, make_person
from tracker.exports import csv_stream
from tracker.models import Detention, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_slot_held():
    """A response an earlier test left unread holds this thread's slot until the thread's next download."""
    download_files.release_held()
    yield
    download_files.release_held()


@pytest.fixture
def registry(db):
    """People at each listed level, and a withheld one, with cells a spreadsheet would run as formulas."""
    named = make_person(name="Ales Bialiatski", region="=cmd|' /C calc'!A0", occupation="-2+3")
    make_charge(detention=make_detention(person=named, facility="@SUM(1)"), article="342", code="=Code")
    make_detention(person=make_person(name="Maria Kalesnikava", identity_level=Person.IdentityLevel.INITIALS))
    make_detention(
        person=make_person(name="Hidden Person", identity_level=Person.IdentityLevel.WITHHELD),
        custody_status=Detention.CustodyStatus.RELEASED,
    )
    return named


def closed(response):
    """Close a response as the server does when it is sent (the download's slot and claim are given back), but
    without request_finished closing the test's database connection, as Django's test client does too: the
    test's transaction is not the autocommit a request ends in, and PostgreSQL's connection would be closed."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def body(response):
    data = b"".join(response.streaming_content)
    closed(response)
    return data


def streamed_now(query=None):
    """The prisoners CSV as the rows are written from the database, without any file."""
    filterset = PrisonerFilter(query, queryset=Detention.objects.published())
    rows = exports.registry_csv_rows(filterset.qs, "", exports.Links("http://testserver/"))
    return "".join(csv_stream(exports.PRISONER_HEADER, rows)).encode()


@pytest.fixture
def reads(monkeypatch):
    """How many times a download read the registry's rows from the database (rows in Python, or PostgreSQL's
    COPY, which Django's query capture does not see)."""
    from events.views import downloads

    counted = []
    for module, name in ((exports, "registry_csv_rows"), (downloads, "copy_stream")):
        real = getattr(module, name)

        def counting(*args, real=real, **kwargs):
            counted.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    return counted


def in_another_thread(function):
    """function()'s result, called in a thread of its own (a slot is held per thread)."""
    found = []
    thread = threading.Thread(target=lambda: found.append(function()))
    thread.start()
    thread.join()
    return found[0]


def test_a_whole_list_is_read_from_the_database_once_per_data_version(client, registry, reads):
    first = body(client.get("/prisoners.csv"))
    assert len(reads) == 1
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/prisoners.csv")
        again = body(second)
    assert [query for query in queries.captured_queries if "tracker_detention" in query["sql"]] == []
    assert len(reads) == 1
    assert second.get("Content-Disposition") == 'attachment; filename="prisoners.csv"'
    assert second["Content-Type"] == "text/csv; charset=utf-8"
    assert first == again == streamed_now()
    assert b"'=cmd|' /C calc'!A0" in again and b"'@SUM(1)" in again and b"Hidden" not in again


def test_the_registry_by_custody_status_is_a_file_too_and_other_filters_read_the_database(client, registry, reads):
    first = body(client.get("/prisoners.csv?status=held"))
    again = body(client.get("/prisoners.csv?status=held&order=name"))
    assert len(reads) == 1
    assert first == again == streamed_now({"status": "held"})
    body(client.get("/prisoners.csv?q=Bialiatski"))
    filtered = body(client.get("/prisoners.csv?q=Bialiatski"))
    assert len(reads) == 4  # each filtered download, and streamed_now() once
    assert filtered == streamed_now({"q": "Bialiatski"})


def test_a_withheld_name_leaves_the_whole_list_at_once(client, registry):
    assert b"Ales Bialiatski" in body(client.get("/prisoners.csv"))
    registry.identity_level = Person.IdentityLevel.WITHHELD
    registry.save()
    after = body(client.get("/prisoners.csv"))
    assert b"Bialiatski" not in after
    assert after == streamed_now()


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="a COPY left half read closes psycopg's connection, and with it the test's transaction "
    "(a server's next request opens another: CONN_HEALTH_CHECKS)",
)
def test_a_reader_who_leaves_early_stores_no_file(client, registry, reads):
    response = client.get("/prisoners.csv")
    next(iter(response.streaming_content))
    closed(response)
    whole = body(client.get("/prisoners.csv"))
    assert len(reads) == 2  # read again: nothing was stored
    assert whole == streamed_now()


def test_readers_that_accept_gzip_get_the_compressed_copy(client, registry):
    plain = body(client.get("/prisoners.csv"))
    response = client.get("/prisoners.csv", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(body(response)) == plain


def test_the_proxy_serves_the_file_when_the_settings_name_its_location(client, registry, settings):
    settings.DOWNLOAD_ACCEL_PREFIX = "/internal-downloads/"
    plain = body(client.get("/prisoners.csv"))
    response = client.get("/prisoners.csv")
    assert response.content == b""
    location = response["X-Accel-Redirect"]
    assert location.startswith("/internal-downloads/") and location.endswith("/prisoners.csv")
    assert response["Content-Disposition"] == 'attachment; filename="prisoners.csv"'
    stored = download_files.FOLDER + "/" + location.removeprefix("/internal-downloads/")
    with download_files.storage().open(stored, "rb") as file:
        assert file.read() == plain


def test_the_whole_spreadsheet_is_built_once_per_data_version(client, registry, reads):
    first = client.get("/prisoners.xlsx")
    assert first.status_code == 200 and len(reads) == 1
    second = client.get("/prisoners.xlsx")
    assert len(reads) == 1
    assert second["Content-Disposition"] == 'attachment; filename="prisoners.xlsx"'
    assert b"".join(second.streaming_content) == b"".join(first.streaming_content)


def test_a_spreadsheet_another_process_is_building_gets_a_503(client, registry):
    # The claim another process would hold while it builds the workbook.
    request = client.get("/prisoners.csv").wsgi_request
    name = download_files.stored_name(request, "prisoners", "xlsx", "")
    assert download_files.claim(name) is not None
    response = client.get("/prisoners.xlsx")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_downloads_beyond_the_cap_get_a_503_with_retry_after(client, registry, settings):
    settings.DOWNLOAD_SLOTS = 1
    held = in_another_thread(download_files.take_slot)
    try:
        response = client.get("/prisoners.csv?q=Bialiatski")
        assert response.status_code == 503
        assert int(response["Retry-After"]) > 0
        assert "Too many downloads" in response.content.decode()
        assert client.get("/timeline.xlsx?kind=meeting").status_code == 503
    finally:
        held.release()
    assert client.get("/prisoners.csv?q=Bialiatski").status_code == 200


def test_a_download_gives_its_slot_back_when_it_is_closed(client, registry, settings):
    settings.DOWNLOAD_SLOTS = 1
    response = client.get("/prisoners.csv?q=Bialiatski")
    assert in_another_thread(download_files.take_slot) is None
    body(response)
    slot = in_another_thread(download_files.take_slot)
    assert slot is not None
    slot.release()


def test_a_new_version_removes_the_files_of_older_ones_only(client, registry):
    store = download_files.storage()
    body(client.get("/prisoners.csv"))
    [current] = store.listdir(download_files.FOLDER)[0]
    epoch, number = current.rsplit(".", 1)
    later = f"{download_files.FOLDER}/{epoch}.{int(number) + 5}/site/prisoners.csv"
    store.save(later, download_files._Bytes(b"later"))
    registry.region = "Minsk"
    registry.save()
    body(client.get("/prisoners.csv"))
    folders = store.listdir(download_files.FOLDER)[0]
    assert current not in folders and f"{epoch}.{int(number) + 5}" in folders and len(folders) == 2
