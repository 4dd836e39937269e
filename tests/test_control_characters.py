"""Characters that XML 1.0 and spreadsheets cannot hold: refused by every admin form, dropped by feeds and workbooks.

A vertical tab (Word's line break inside a paragraph) in a published title
made /feeds/*.atom and every .xlsx download answer 500. The forms now refuse
such text (tracker/admin.py, in words from tracker/text.py); text that got
in before, or by a restore or loaddata, is dropped from those outputs only.
"""

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from django import forms
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.utils.html import escape
from openpyxl import load_workbook

from events import dataset
from events.models import Citation, Event, Figure, Measure
from tests.admin_pages import admin_url, form_data, post_add_form, with_inline_row
from tests.factories import (
    make_charge,
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_name_variant,
    make_organization,
    make_participant,
    make_person,
    make_release,
    make_released_detention,
    make_source,
    make_user,
)
from tracker.forms import refuse_problem_characters
from tracker.models import Detention, NameVariant, Organization, Person, Source
from tracker.text import problem_characters

pytestmark = pytest.mark.django_db

# PostgreSQL text cannot hold a NUL byte at all; SQLite can, so there it must not break a page either.
STORED = ["\x0b", "\x0c", "\x1b", *(["\x00"] if connection.vendor == "sqlite" else [])]
WORKBOOKS = ["/timeline.xlsx", "/releases.xlsx", "/figures.xlsx", "/prisoners.xlsx", "/sources.xlsx"]
FEEDS = ["/feeds/timeline.atom", "/feeds/BY.atom"]


def records_holding(char):
    """A published release and everything around it, every text holding `char` between two words."""

    def text(words):
        return words.replace(" ", char, 1)

    publisher = make_organization(name=text("Viasna human-rights centre"))
    source = make_source(title=text("Soft break in a title"), publisher=publisher)
    person = make_person(
        name=text("Ales Bialiatski"), region=text("Homel region"), occupation=text("Human rights defender")
    )
    make_name_variant(person=person, name=text("Алесь Бяляцкі"))
    detention = make_detention(person=person, facility=text("Colony 9"), sentence=text("10 years"))
    make_charge(detention=detention, description=text("Tax evasion"))
    event = make_event(
        kind=Event.Kind.RELEASE,
        title=text("Release of 52"),
        summary=text("Freed and deported"),
        location=text("Minsk airport"),
    )
    make_release(event=event, destination=text("Vilnius, Lithuania"))
    make_released_detention(release=event)
    make_participant(event=event, person=person, role=text("Freed prisoner"))
    make_participant(event=event, organization=publisher, role=text("Reported it"))
    make_citation(event=event, source=source, quote=text("We have many questions."))
    measure = make_measure(name=text("released in this release"), kind=Measure.Kind.PER_EVENT)
    make_figure(measure=measure, event=event, source=source, quote=text("52 were freed"), value=52)
    make_figure(source=source, quote=text("About 1,200 are held"), attributed_to=publisher)


def cells_of(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [str(cell.value) for row in book.active.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("char", STORED, ids=repr)
def test_feeds_leave_the_characters_out(client, char):
    records_holding(char)
    for path in FEEDS:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert char not in content
        feed = ElementTree.fromstring(response.content)  # well-formed XML
        titles = [
            entry.findtext("{http://www.w3.org/2005/Atom}title")
            for entry in feed.iter("{http://www.w3.org/2005/Atom}entry")
        ]
        assert "Releaseof 52" in titles
        assert "Freedand deported" in content and "Freedprisoner" in content and "Viasnahuman-rights centre" in content


@pytest.mark.parametrize("char", STORED, ids=repr)
@pytest.mark.parametrize("path", WORKBOOKS)
def test_every_workbook_leaves_the_characters_out(client, char, path):
    records_holding(char)
    cells = cells_of(client.get(path))
    assert not [cell for cell in cells if char in cell]
    expected = {
        "/timeline.xlsx": "Releaseof 52",
        "/releases.xlsx": "Vilnius,Lithuania",
        "/figures.xlsx": "52were freed",
        "/prisoners.xlsx": "AlesBialiatski",
        "/sources.xlsx": "Softbreak in a title",
    }[path]
    assert expected in cells


@pytest.mark.parametrize("char", STORED, ids=repr)
def test_csv_timelinejs_and_the_data_package_keep_the_text_as_stored(client, tmp_path, char):
    # CSV and JSON can hold these characters (JSON writes \u000b): they are written as stored.
    records_holding(char)
    for path in WORKBOOKS:
        response = client.get(path.replace(".xlsx", ".csv"))
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert char in body
    response = client.get("/timeline.timelinejs.json")
    assert response.status_code == 200
    assert json.loads(response.content)["events"][0]["text"]["headline"] == f"Release{char}of 52"
    dataset.build(tmp_path / "package", site_url="http://testserver")
    with open(tmp_path / "package" / "timeline.csv", encoding="utf-8", newline="") as file:
        assert f"Release{char}of 52" in [row[3] for row in csv.reader(file)]


# --- At input: every admin form ----------------------------------------------------------


def admin_request():
    request = RequestFactory().get("/admin/")
    request.user = make_user(is_superuser=True)
    return request


def admin_forms(request):
    """(what, form class) of every admin page and inline of the tracker's own models."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("tracker", "events"):
            continue  # Django's accounts and django-axes' logs: nothing there is published
        yield model._meta.label, model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            yield f"{model._meta.label} / {inline.model._meta.label}", inline.get_formset(request).form


def test_every_text_field_of_every_admin_form_refuses_the_characters():
    checked = []
    for what, form_class in admin_forms(admin_request()):
        for name, field in form_class().fields.items():
            if isinstance(field, forms.CharField):
                assert refuse_problem_characters in field.validators, (what, name)
                checked.append((what, name))
    # Titles, names, quotes, notes, inline rows: a lot of fields, on every page.
    assert {what for what, _ in checked} >= {
        "tracker.Source",
        "events.Event / events.Citation",
        "tracker.Person / tracker.NameVariant",
    }
    assert len(checked) > 40


# Every character of tracker/text.py, a lone surrogate included: the form refuses before the database sees it.
REFUSED = ["\x0b", "\x0c", "\x1b", "\x00", "\x01", "\ud800", "\udfff", "\ufffe"]


@pytest.mark.parametrize("char", REFUSED, ids=repr)
def test_the_form_refuses_each_character_with_the_sentence_of_tracker_text(char):
    request = admin_request()
    form_class = admin.site._registry[Source].get_form(request)
    title = f"Soft{char}break"
    form = form_class(data={"title": title, "kind": "news_report", "language": "en", "published_on": "2025-12-12"})
    assert not form.is_valid()
    # One sentence, ours: Django's own "Null characters are not allowed." is not shown beside it.
    assert form.errors["title"] == [problem_characters(title)]
    assert f"U+{ord(char):04X}" in form.errors["title"][0]


ADD_FORMS = {
    "a source title": (
        Source,
        lambda: {"title": "Soft\x0bbreak", "kind": "news_report", "language": "en"},
        "Soft\x0bbreak",
    ),
    "an organisation's other names": (
        Organization,
        lambda: {"name": "Viasna", "kind": "ngo", "name_variants": "Вясна\x0cВесна"},
        "Вясна\x0cВесна",
    ),
    "a person's name": (Person, lambda: {"name": "Ales\x0bBialiatski"}, "Ales\x0bBialiatski"),
    "an event summary": (
        Event,
        lambda: {"kind": "meeting", "title": "Meeting", "occurred_on": "2025-12-12", "summary": "One\x0btwo"},
        "One\x0btwo",
    ),
    "a measure's definition": (
        Measure,
        lambda: {"name": "held", "slug": "held", "kind": "stock", "definition": "People\x1bheld"},
        "People\x1bheld",
    ),
    "a figure's quote": (
        Figure,
        lambda: {
            "measure": make_measure().pk,
            "source": make_source().pk,
            "country": "BY",
            "value": 40,
            "as_of_on": "2025-09-11",
            "quote": "40\x0bfreed",
        },
        "40\x0bfreed",
    ),
    "a detention's facility": (
        Detention,
        lambda: {"person": make_person().pk, "country": "BY", "facility": "Colony\x0b9"},
        "Colony\x0b9",
    ),
}


@pytest.mark.parametrize("what", list(ADD_FORMS))
def test_the_admin_redisplays_the_form_with_the_characters_named(admin_client, what):
    model, fields, value = ADD_FORMS[what]
    rows_before = model.objects.count()

    response = post_add_form(admin_client, model, **fields())

    assert response.status_code == 200
    assert escape(problem_characters(value)) in response.content.decode()
    assert model.objects.count() == rows_before


@pytest.mark.parametrize(
    "model, prefix, row, refused",
    [
        (Person, "name_variants", {"name": "Алесь\x0bБяляцкі", "script": "Cyrl", "system": "native"}, NameVariant),
        (Event, "citations", {"quote": "We have\x0cmany questions."}, Citation),
    ],
    ids=["name variant", "citation quote"],
)
def test_inline_rows_refuse_the_characters_too(admin_client, model, prefix, row, refused):
    parent = make_person(status="draft") if model is Person else make_event(status="draft")
    if model is Event:
        row = {**row, "source": make_source().pk}
    url = admin_url(model, "change", parent.pk)
    value = next(text for text in row.values() if isinstance(text, str) and problem_characters(text))

    response = admin_client.post(url, with_inline_row(form_data(admin_client.get(url)), prefix, **row))

    assert response.status_code == 200
    assert escape(problem_characters(value)) in response.content.decode()
    assert not refused.objects.exists()
