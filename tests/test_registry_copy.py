"""On PostgreSQL the prisoners CSV is written by COPY: the same bytes as the rows shown_person() gives."""

import datetime

import pytest
from django.db import connection

from events.exports import Links, registry_csv_rows
from events.filters import PrisonerFilter
from events.registry import copy_stream
from tests.factories import make_charge, make_detention, make_organization, make_person, make_released_detention
from tests.planted import world  # noqa: F401 (a fixture)
from tracker.exports import csv_stream
from tracker.models import Detention, Person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

BASE = "https://tracker.example"


@pytest.fixture
def awkward(world):
    """People and detentions whose text a CSV writer must quote or escape, at each listed level."""
    recogniser = make_organization(name='Viasna, "Vesna"')
    for level in (Person.IdentityLevel.FULL, Person.IdentityLevel.INITIALS):
        person = make_person(
            name=f'Ан\'на "Квоты", Line\nBreak {level}',
            identity_level=level,
            birth_year=1980,
            region="=cmd|' /C calc'!A0",
            occupation="-2+3",
            description="@SUM(1)",
        )
        detention = make_detention(
            person=person,
            facility="Калонія № 4,\r\nГомель",
            sentence="\t5 years",
            detained_on=datetime.date(2021, 3, 4),
            detained_on_precision="month",
            recognised_by=recogniser,
            recognised_on=datetime.date(2021, 6, 1),
        )
        make_charge(detention=detention, article="342", code="=Criminal Code", description='"gross" violation, part 2')
        make_charge(detention=detention, article="130", code="", description="")
        make_released_detention(
            release=world["release"],
            detention=make_detention(
                person=person,
                detained_on=None,
                custody_status=Detention.CustodyStatus.PARDONED,
                released_on=datetime.date(2025, 9, 11),
                released_on_precision="day",
                release_mode=Detention.ReleaseMode.PARDON,
            ),
        )
        # A formula sign after blanks, or a full-width one (tracker/exports.py TRIGGERS and BLANKS).
        variant = make_person(
            name=f"\uff1dHYPERLINK(1) {level}",
            identity_level=level,
            region="\xa0=1+1",
            occupation="\n@SUM(1)",
        )
        make_charge(
            detention=make_detention(
                person=variant, facility=" +1", sentence="\u3000-1 year", detained_on=datetime.date(2022, 1, 2)
            ),
            article="\uff0b1",
            code="\r\n=x",
            description="\uff20x",
        )
        make_charge(  # an invisible character, or a small form, before the sign
            detention=make_detention(
                person=variant, facility="\ufeff=1", sentence="\u200b\u2060+1", detained_on=datetime.date(2023, 1, 2)
            ),
            article="\ufe621",
            code="\xad@x",
            description="\ufe66x",
        )
        make_detention(person=variant, facility="' =x", sentence="\uff0d2", detained_on=None)
    make_person(name="", identity_level=Person.IdentityLevel.INITIALS)


def python_bytes(detentions):
    """The rows as the Python path writes them, without the header."""
    stream = csv_stream(["header"], registry_csv_rows(detentions, "", Links(BASE)))
    next(stream)
    return "".join(stream).encode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "held"},
        {"status": "pardoned"},
        {"article": "342"},
        {"q": "Бяляцкі"},
        {"detained_year": "2021"},
        {"q": "!!!"},
    ],
)
def test_copy_writes_the_bytes_the_python_rows_give(awkward, query):
    filterset = PrisonerFilter(query or None, queryset=Detention.objects.published())
    assert not filterset.is_bound or filterset.is_valid(), filterset.errors
    written = b"".join(copy_stream(filterset.qs, BASE))
    expected = python_bytes(filterset.qs)
    assert written.decode().splitlines() == expected.decode().splitlines()
    assert written == expected
    if not query:
        assert written.count(b"\n") >= 6
        assert "'\uff1dHYPERLINK(1) full".encode() in written and b"' +1" in written


def test_the_download_on_postgresql_is_the_copy(client, awkward):
    body = b"".join(client.get("/prisoners.csv").streaming_content)
    assert body.startswith("\ufeff".encode())
    header, _, rows = body.removeprefix("\ufeff".encode()).partition(b"\n")
    assert rows == python_bytes(PrisonerFilter(None, queryset=Detention.objects.published()).qs).replace(
        BASE.encode(), b"http://testserver"
    )
