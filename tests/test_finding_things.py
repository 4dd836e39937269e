"""Issue #15 points 14 and 16: what a new reader looks for is in the menu, the About page says who keeps the tracker and
how it counts, robots.txt keeps crawlers to the pages, the feeds are linked, and the country switcher offers the countries
the tracker covers."""

import re

import pytest

from events.models import Event
from tests.factories import make_citation, make_detention, make_event, make_figure, make_person
from tracker.models import Person

pytestmark = pytest.mark.django_db


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def nav(page):
    return re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S).group(1)


@pytest.mark.parametrize("url", ["/", "/timeline/", "/prisoners/", "/data/", "/about/"])
def test_the_menu_leads_to_the_data_and_about_pages(client, belarus, url):
    menu = nav(html(client, url))
    assert '<a href="/data/"' in menu and ">Data</a>" in menu
    assert '<a href="/about/"' in menu and ">About</a>" in menu


def test_the_menu_marks_the_page_it_is_on(client, belarus):
    assert '<a href="/about/" aria-current="page">About</a>' in nav(html(client, "/about/"))
    assert '<a href="/data/" aria-current="page">Data</a>' in nav(html(client, "/data/"))


def test_the_about_page_says_who_keeps_it_and_where_to_write(client, belarus, settings):
    settings.SITE_KEEPER = "The Example Human Rights Centre"
    settings.CONTACT_EMAIL = "corrections@tracker.example"
    page = html(client, "/about/")
    assert "This copy of the tracker is kept by The Example Human Rights Centre." in page
    assert '<a href="mailto:corrections@tracker.example">corrections@tracker.example</a>' in page
    for heading in ("Who keeps it", "How it counts", "Names, and asking for one to be withheld", "Reporting an error"):
        assert f">{heading}</h2>" in page
    assert "recognised as political prisoners" in page
    assert "marked as preferred" in page
    assert '<a href="/?country=BY">Belarus</a>' in page


def test_the_about_page_says_plainly_when_nobody_is_named(client, belarus, settings):
    settings.SITE_KEEPER = ""
    settings.CONTACT_EMAIL = ""
    page = html(client, "/about/")
    assert "has not yet said here who they are" in page
    assert "has not yet given an address for corrections and requests" in page
    assert "mailto:" not in page


def test_the_about_page_escapes_what_the_settings_say(client, db, settings):
    settings.SITE_KEEPER = "<script>alert(1)</script>"
    page = html(client, "/about/")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_robots_txt_keeps_crawlers_to_the_pages(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    assert disallowed == {"/admin/", "/api/v1/", "/data/package/", "/*.csv", "/*.xlsx", "/*.json"}
    # The pages themselves, and their records, stay open to crawlers.
    for page in ("/", "/timeline/", "/prisoners/", "/about/", "/data/", "/figures/"):
        assert not any(page.startswith(rule) for rule in disallowed if "*" not in rule)
    assert client.post("/robots.txt").status_code == 405


def test_the_timeline_links_its_feeds(client, belarus):
    page = html(client, "/timeline/")
    assert '<a href="/feeds/timeline.atom">every country</a>.' in page
    filtered = html(client, "/timeline/?country=BY")
    assert '<a href="/feeds/timeline.atom">every country</a>, <a href="/feeds/BY.atom">Belarus</a>.' in filtered
    assert client.get("/feeds/BY.atom").status_code == 200


def test_the_data_page_lists_the_feeds_of_the_countries_covered(client, belarus):
    make_detention(country="RU")
    page = html(client, "/data/")
    feeds = page.split('<h2 id="feeds-title">Feeds</h2>')[1].split("</section>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', feeds) == [
        ("/feeds/timeline.atom", "Every country"),
        ("/feeds/BY.atom", "Belarus"),
        ("/feeds/RU.atom", "Russia"),
    ]


def switcher(page):
    found = re.search(r'<select id="country" name="country">(.*?)</select>', page, re.S)
    return re.findall(r'<option value="(\w+)"( selected)?>', found.group(1)) if found else None


def test_the_country_switcher_offers_the_countries_covered_not_every_country_an_event_names(client, belarus):
    # The seed's events concern the United States too (it lifted sanctions), but the tracker covers Belarus only.
    assert "US" in {code for event in Event.objects.all() for code in event.countries}
    assert switcher(html(client, "/")) is None  # one country covered: nothing to switch to
    # A detention in Russia and a number of Lithuania's own make them covered; a draft figure does not.
    make_detention(country="RU", person=make_person(identity_level=Person.IdentityLevel.FULL))
    make_figure(country="LT", measure=make_figure().measure)
    make_figure(country="PL", status="draft")
    assert switcher(html(client, "/?country=BY")) == [("BY", " selected"), ("LT", ""), ("RU", "")]


def test_a_figure_of_an_event_or_a_deprecated_one_does_not_make_a_country_covered(client, belarus):
    make_detention(country="RU")
    event = make_event(countries=["KZ"])
    make_citation(event=event)
    make_figure(country="KZ", event=event)
    make_figure(country="AM", rank="deprecated", deprecation_reason="A typo in the source.")
    assert [code for code, _ in switcher(html(client, "/"))] == ["BY", "RU"]


def test_a_country_reached_by_a_link_stays_chosen_in_the_switcher(client, belarus):
    make_detention(country="RU")
    # The United States: an event concerns it, so its home page lists that event; it is chosen in the switcher.
    page = html(client, "/?country=US")
    assert switcher(page) == [("BY", ""), ("RU", ""), ("US", " selected")]
    assert "No figures have been published for United States of America yet." in page
