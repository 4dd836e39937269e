"""Issue #15 point 12: a person named in full in a headline's published quote links to their registry page;
nobody else is linked, and the quote stays escaped text."""

import pytest

from events.html import with_person_links
from events.models import Measure
from tests.factories import make_figure, make_measure, make_name_variant, make_person
from tracker.names import IdentityLevel, people_named_in
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def headline_quote(client, quote):
    make_figure(
        measure=make_measure(name="political prisoners held", kind=Measure.Kind.STOCK),
        rank="preferred",
        quote=quote,
    )
    html = client.get("/?country=BY").content.decode()
    return html.split('<blockquote class="quote">')[1].split("</blockquote>")[0]


def test_a_person_named_in_full_in_the_headlines_quote_links_to_their_page(client):
    person = make_person(name="Siarhei Tsikhanouski")
    quote = headline_quote(client, "Among those freed was Siarhei Tsikhanouski, Viasna said.")
    assert quote == (
        f'Among those freed was <a href="{person.get_absolute_url()}">Siarhei Tsikhanouski</a>, Viasna said.'
    )


def test_a_name_variant_and_a_unique_surname_alone_link_too(client):
    person = make_person(name="John Coale")
    belarusian = make_person(name="Ales Bialiatski")
    make_name_variant(person=belarusian, name="Алесь Бяляцкі", script="cyrillic")
    quote = headline_quote(client, "Envoy Coale met the family of Алесь Бяляцкі.")
    assert f'Envoy <a href="{person.get_absolute_url()}">Coale</a>' in quote
    assert f'<a href="{belarusian.get_absolute_url()}">Алесь Бяляцкі</a>' in quote


def test_a_surname_two_people_named_in_full_share_links_to_neither(db):
    make_person(name="Ihar Losik")
    make_person(name="Darya Losik")
    assert people_named_in(["Losik was freed."]) == {}


@pytest.mark.parametrize(
    "person",
    [
        {"identity_level": IdentityLevel.INITIALS},
        {"identity_level": IdentityLevel.WITHHELD},
        {"status": Status.DRAFT},
    ],
    ids=["initials", "withheld", "draft"],
)
def test_nobody_the_public_does_not_see_named_in_full_is_ever_linked(db, person):
    # Such a quote cannot be published (tracker.names.PublicText); the link would not name them even if it were.
    make_person(name="Hanna Hiddenova", **person)
    assert people_named_in(["Hanna Hiddenova was freed; Hiddenova thanked them."]) == {}


def test_the_quote_stays_escaped_text_around_its_links(db):
    person = make_person(name="Maria Kalesnikava")
    html = with_person_links(
        '<script>alert("x")</script> Maria Kalesnikava & co', people_named_in(["Maria Kalesnikava"])
    )
    assert html == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        f'<a href="{person.get_absolute_url()}">Maria Kalesnikava</a> &amp; co'
    )
    # A name inside a longer word is not a name.
    assert "<a" not in with_person_links("Kalesnikavas", {"Kalesnikava": "/x/"})
