"""The event cards, written in Python ({% event_card %}, {% event_links %}), are the HTML the templates wrote.

The card was templates/events/includes/event.html, included per event by
the timeline and the home page, and the links events/includes/event_links.html;
both are kept below, verbatim, as the reference: for awkward and hostile
values (markup, quotes, ampersands, values already marked safe, lazy labels,
missing dates and details) the tags write the same bytes, so every value is
escaped exactly once, as before.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from events.templatetags.cards import event_card, event_links
from tests.read_both_ways import pages_read_both_ways

# templates/events/includes/event_links.html before it was written in Python.
TEMPLATE_LINKS = """\
{# An event's links, read from both ends. Expects `links` (events.views.timeline.event_links): outgoing and incoming, each label, url, title, date. #}
<ul class="event-links">
  {% for link in links.outgoing %}
  <li><span class="link-kind">{{ link.label }}:</span> <a href="{{ link.url }}">{{ link.title }}</a> ({{ link.date }})</li>
  {% endfor %}
  {% for link in links.incoming %}
  <li><span class="link-kind">{{ link.label }}:</span> <a href="{{ link.url }}">{{ link.title }}</a> ({{ link.date }})</li>
  {% endfor %}
</ul>
"""

# templates/events/includes/event.html before it was written in Python (its include of the links inlined as
# {% links %}, the reference above).
TEMPLATE_CARD = """\
{% load citations %}{# One event as the timeline and the home page show it. Expects `event` with its `card` (events.views.timeline.with_cards). #}
{% with card=event.card %}<li class="event event-{{ card.kind }}" id="event-{{ card.uid }}">
  <p class="event-meta"><time datetime="{{ card.iso }}">{{ card.date }}</time>{% if card.ended %} – <time datetime="{{ card.ended.iso }}">{{ card.ended.date }}</time>{% endif %}
    · {{ card.kind_name }}{% if card.location %} · {{ card.location }}{% endif %}</p>
  <h3><a href="{{ card.url }}">{{ card.title }}</a></h3>
  {% if card.summary %}<p>{{ card.summary }}</p>{% endif %}
  {% if card.figures %}
  <ul class="event-figures">
    {% for figure in card.figures %}
    <li><strong>{{ figure.words }}</strong> {{ figure.measure }}{% if figure.period %} {{ figure.period }}{% endif %} <span class="by">— {% citation figure.source %}</span></li>
    {% endfor %}
  </ul>
  {% endif %}
  {% if card.participants %}
  <p class="participants">With
    {{ card.participants|join:"; " }}.
  </p>
  {% endif %}
  {% if card.links %}
  {{ links_html }}
  {% endif %}
  {% if card.cited %}
  {# grouped by source as regroup would, in events.views.timeline._card #}
  <details class="citations"{% if open_sources %} open{% endif %}>
    <summary>Sources ({{ card.cited|length }})</summary>
    <ul>
      {% for cited in card.cited %}
      <li>{% citation cited.source %}
        {% for quote in cited.quotes %}<blockquote class="quote">{{ quote }}</blockquote>{% endfor %}
      </li>
      {% endfor %}
    </ul>
  </details>
  {% endif %}
</li>{% endwith %}
"""

HOSTILE = '<script>alert("x&y")</script> O\'Brien & <b>Sons</b> &amp; &lt;'


def template_links(links):
    return engines["django"].from_string(TEMPLATE_LINKS).render({"links": links})


def template_card(event):
    # The include's "with links=card.links" rendered the links template in place, with its trailing newline.
    links = mark_safe(template_links(event.card["links"])) if event.card["links"] else ""
    return engines["django"].from_string(TEMPLATE_CARD).render({"event": event, "links_html": links})


def source(title="Viasna", url="https://spring96.org/x?a=1&b=2", publisher="Viasna", on=datetime.date(2025, 12, 13)):
    return SimpleNamespace(
        title=title,
        url=url,
        publisher=SimpleNamespace(public_name=publisher) if publisher else None,
        published_on=on,
        archive_url="",
    )


def link(label="Part of", title="US envoy visits Minsk", date="13 December 2025"):
    return {"label": label, "url": "/events/0b5f4c1e/", "title": title, "date": date}


def card(**kwargs):
    values = {
        "kind": "release",
        "uid": "0b5f4c1e-0000-4000-8000-000000000001",
        "iso": "2025-12-13",
        "date": "13 December 2025",
        "ended": None,
        "kind_name": "Release",
        "location": "Minsk",
        "url": "/events/0b5f4c1e-0000-4000-8000-000000000001/",
        "title": "52 freed in exchange for lifting sanctions on Belavia",
        "summary": "Freed and taken to Lithuania.",
        "figures": [],
        "participants": [],
        "links": None,
        "cited": [],
    }
    return SimpleNamespace(card={**values, **kwargs})


CASES = {
    "plain": card(),
    "no location, no summary": card(location="", summary=""),
    "ended": card(ended={"iso": "2025-12-14", "date": "14 December 2025"}),
    "hostile values": card(
        kind=HOSTILE,
        uid=HOSTILE,
        title=HOSTILE,
        summary=HOSTILE,
        location=HOSTILE,
        kind_name=HOSTILE,
        date=HOSTILE,
        url=f"/events/?a=1&b={HOSTILE}",
    ),
    "lazy and safe labels": card(kind_name=gettext_lazy("Release"), title=mark_safe("<em>Already safe</em>")),
    "figures": card(
        figures=[
            {"words": "over 430", "measure": "prisoners released", "period": "since July 2024", "source": source()},
            {"words": HOSTILE, "measure": "released", "period": HOSTILE, "source": source()},
            {"words": HOSTILE, "measure": HOSTILE, "source": source(title=HOSTILE, url="", publisher=HOSTILE)},
        ]
    ),
    "participants": card(participants=["Alexander Lukashenko", HOSTILE, mark_safe("<i>safe</i>"), "A. B."]),
    "links both ways": card(
        links={"outgoing": [link(), link(label=HOSTILE, title=HOSTILE, date=HOSTILE)], "incoming": [link("Led to")]}
    ),
    "links one way": card(links={"outgoing": [], "incoming": [link("Given in exchange for")]}),
    "cited": card(
        cited=[
            {"source": source(), "quotes": ["“over 430 released”", HOSTILE]},
            {"source": source(title="Reuters", publisher=None, on=None), "quotes": []},
        ]
    ),
    "everything": card(
        ended={"iso": "2025-12-14", "date": "14 December 2025"},
        figures=[{"words": "52", "measure": "Detainees released", "source": source()}],
        participants=["John Coale"],
        links={"outgoing": [link()], "incoming": [link("Led to")]},
        cited=[{"source": source(), "quotes": ["52 detainees"]}],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_card_is_the_html_the_template_wrote(name):
    event = CASES[name]
    assert event_card(event) == template_card(event)


@pytest.mark.parametrize("name", [name for name, event in CASES.items() if event.card["links"]])
def test_the_links_are_the_html_the_template_wrote(name):
    links = CASES[name].card["links"]
    assert event_links(links) == template_links(links)


def test_hostile_values_are_escaped_once():
    html = event_card(CASES["hostile values"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;amp;" in html  # the value's own "&amp;", escaped once


# --- The cards read as plain rows (events/rows.py) say what the cards read as model instances said ----------


@pytest.fixture
def world(db):
    """Events with every kind of relation a card shows, and every kind the public must not see."""
    from events.models import EventLink, Figure
    from tests.factories import (
        make_citation,
        make_event,
        make_figure,
        make_link,
        make_measure,
        make_organization,
        make_participant,
        make_person,
        make_source,
    )
    from tracker.models import Person
    from tracker.publishing import Status

    draft_publisher = make_organization(name="Draft Publisher", status=Status.DRAFT)
    viasna = make_organization(name="Viasna")
    shared = make_source(title="Shared <report>", publisher=viasna, archive_url="https://archive.example/1")
    events = [
        make_event(title=f"Event {number}", occurred_on=datetime.date(2025, 12, 1 + number)) for number in range(6)
    ]
    draft_event = make_event(title="Draft", status=Status.DRAFT)
    levels = Person.IdentityLevel
    make_participant(event=events[0], person=make_person(name="Anna Full"), role="")
    make_participant(event=events[0], person=make_person(name="Ihar Initials", identity_level=levels.INITIALS))
    make_participant(event=events[0], person=make_person(name="Wanda Withheld", identity_level=levels.WITHHELD))
    make_participant(event=events[1], person=make_person(name="Dora Draft", status=Status.DRAFT), role="Lawyer")
    make_participant(event=events[1], organization=viasna, role="Counting")
    make_participant(event=events[1], organization=make_organization(name="Draft Org", status=Status.DRAFT))
    make_citation(event=events[0], source=shared, quote="first")
    make_citation(event=events[0], source=shared, quote="")
    make_citation(event=events[0], source=make_source(publisher=draft_publisher, url=""), quote="<b>x</b>")
    make_citation(event=events[0], source=shared, quote="again")
    make_citation(event=events[2], source=make_source(status=Status.DRAFT))
    make_citation(event=events[2], source=make_source(published_on=None, publisher=None))
    measure, other = make_measure(position=2), make_measure(position=1)
    make_figure(event=events[2], measure=measure, source=shared, value=52, quote="“52 freed”")
    make_figure(event=events[2], measure=other, source=shared, value=40, qualifier=Figure.Qualifier.MORE_THAN)
    make_figure(event=events[2], measure=measure, value=7, rank=Figure.Rank.DEPRECATED, deprecation_reason="Wrong")
    make_figure(event=events[2], measure=measure, value=8, status=Status.DRAFT)
    make_figure(event=events[3], measure=measure, value=3, source=make_source(status=Status.DRAFT))
    make_link(from_event=events[3], to_event=events[4])
    make_link(from_event=events[4], to_event=events[3], kind=EventLink.Kind.FOLLOWS)
    make_link(from_event=events[5], to_event=events[3], kind=EventLink.Kind.PART_OF)
    make_link(from_event=events[3], to_event=draft_event)
    return events


def read_as_instances(events, using=None):
    """What attach_card_details sets, read as model instances: with_details()'s prefetches, links included."""
    from events.models import Event

    events = list(events)
    read = Event.objects.filter(pk__in=[event.pk for event in events]).with_details().in_bulk()
    relations = {
        "participant_list": "participants",
        "citation_list": "citations",
        "figure_list": "figures",
        "outgoing_list": "outgoing_links",
        "incoming_list": "incoming_links",
    }
    for event in events:
        for name, manager in relations.items():
            setattr(event, name, list(getattr(read[event.pk], manager).all()))
    return events


SHOWN = ("Anna Full", "I. I.", "Viasna", "Shared &lt;report&gt;", "archived copy", "over 40")
HIDDEN = ("Wanda", "Dora", "Draft Org", "Draft Publisher", "Ihar", ">7<", ">8<", ">3<")


def test_cards_read_as_rows_are_the_cards_read_as_instances(world):
    from events.models import Event
    from events.views.timeline import _card, with_cards

    as_instances = []
    for event in read_as_instances(Event.objects.published().newest_first()):
        event.card = _card(event)
        as_instances.append(event_card(event))
    as_rows = [event_card(event) for event in with_cards(Event.objects.published().newest_first())]
    assert as_rows == as_instances
    joined = "".join(as_rows)
    for shown in SHOWN:
        assert shown in joined, shown
    for hidden in HIDDEN:
        assert hidden not in joined, hidden


def test_pages_read_as_rows_are_the_pages_read_as_instances(world, client, monkeypatch):
    import events.views.timeline as views

    addresses = ["/", "/?country=BY", "/timeline/", *(event.get_absolute_url() for event in world)]
    pages = pages_read_both_ways(client, monkeypatch, addresses, views, "attach_card_details", read_as_instances)
    assert "“52 freed”" in pages
    for shown in SHOWN:
        assert shown in pages, shown
    for hidden in HIDDEN:
        assert hidden not in pages, hidden
