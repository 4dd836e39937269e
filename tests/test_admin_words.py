"""Issue #15 point 19: what a new editor trips on in the admin."""

import re

import pytest

from events.models import Event
from tests.admin_pages import admin_url
from tests.factories import make_event, make_organization, make_source
from tracker.models import Organization, Source

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_its_sections_as_the_site_does(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Sign-in throttling" in html
    assert ">Axes<" not in html and "AXES" not in html
    assert ">Organisations<" in html
    assert "Organizations" not in html


def test_the_source_picker_shows_the_publisher_it_matches_on(admin_client):
    viasna = make_organization(name="Viasna")
    make_source(title="Monthly report", publisher=viasna, published_on="2025-12-01")
    make_source(title="Monthly report", publisher=make_organization(name="Belsat"), published_on=None)
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "viasna", "app_label": "events", "model_name": "citation", "field_name": "source"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Monthly report — Viasna, 2025-12-01"]
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "monthly", "app_label": "events", "model_name": "citation", "field_name": "source"},
    )
    assert sorted(result["text"] for result in response.json()["results"]) == [
        "Monthly report — Belsat",
        "Monthly report — Viasna, 2025-12-01",
    ]


def test_other_pickers_keep_their_own_labels(admin_client):
    make_organization(name="Viasna")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "via", "app_label": "tracker", "model_name": "source", "field_name": "publisher"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Viasna"]


def test_the_source_title_takes_the_whole_width(admin_client):
    html = admin_client.get(admin_url(Source, "add")).content.decode()
    assert 'name="title"' in html
    title = html[html.index('name="title"') - 200 : html.index('name="title"') + 200]
    assert "vLargeTextField" in title


def country_options(admin_client, event):
    html = admin_client.get(admin_url(Event, "change", event.pk)).content.decode()
    # The row "Add another figure" copies.
    select = html[html.index('name="figures-__prefix__-country"') :]
    return re.findall(r'<option value="(\w*)"( selected)?>', select[: select.index("</select>")])


def test_a_figure_of_an_event_starts_in_the_events_country(admin_client):
    options = country_options(admin_client, make_event(countries=["LT"], kind=Event.Kind.RELEASE))
    assert options[:2] == [("", ""), ("LT", " selected")]
    assert len(options) > 200 and [code for code, _ in options].count("LT") == 1


def test_a_figure_of_an_event_of_several_countries_lists_them_first(admin_client):
    options = country_options(admin_client, make_event(countries=["US", "BY"], kind=Event.Kind.RELEASE))
    # Nothing chosen for the editor: the blank choice, then the event's countries.
    assert options[:3] == [("", " selected"), ("BY", ""), ("US", "")]


def test_organisation_is_spelled_as_the_site_spells_it():
    assert Organization._meta.verbose_name == "organisation"
    assert Organization._meta.verbose_name_plural == "organisations"


def test_a_measures_count_from_the_registry_is_set_in_the_admin(admin_client):
    from events.models import Measure
    from tests.admin_pages import messages_of, post_add_form

    fields = {"name": "people held", "slug": "people-held", "kind": "stock", "definition": "Held on the date."}
    response = post_add_form(admin_client, Measure, **fields, registry_count="held")
    assert response.status_code == 302, messages_of(response)
    assert Measure.objects.get(slug="people-held").registry_count == "held"
    # A count that does not suit the kind is refused, in words.
    response = post_add_form(admin_client, Measure, **{**fields, "slug": "other"}, registry_count="released")
    assert response.status_code == 200
    assert (
        "This count does not suit a measure of the kind “Stock (how many at a date)”: choose "
        "“Named people held on the as-of date”, or none."
    ) in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”").replace("&#x27;", "'")
    html = admin_client.get(admin_url(Measure, "changelist")).content.decode()
    assert "Registry count" in html
