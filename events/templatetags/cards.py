"""An event card (the timeline's and the home page's) and an event's links, written in Python.

`{% event_card event %}` was templates/events/includes/event.html, included
per event, which included events/includes/event_links.html per card (the
event page's `{% event_links links %}` too) and a citation per source: about
a third of the timeline's time not cached. The tags write the same bytes from
the values events.views.timeline._card read once (`event.card`), every value
escaped once (events.html.text; citations by events/templatetags/citations.py).
tests/test_event_cards.py holds them equal to the templates they replaced, for
awkward and hostile values.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from events.html import text
from events.templatetags.citations import citation

register = template.Library()


@register.simple_tag
def event_links(links):
    """`{% event_links links %}`: an event's links, outgoing then incoming (events.views.timeline.event_links)."""

    def items(links):
        return "".join(
            f'\n  <li><span class="link-kind">{text(link["label"])}:</span> '
            f'<a href="{text(link["url"])}">{text(link["title"])}</a> ({text(link["date"])})</li>\n  '
            for link in links
        )

    outgoing, incoming = items(links["outgoing"]), items(links["incoming"])
    return mark_safe(f'\n<ul class="event-links">\n  {outgoing}\n  {incoming}\n</ul>\n')


def _figures(figures):
    items = "".join(
        f"\n    <li><strong>{text(figure['words'])}</strong> {text(figure['measure'])}"
        + (f" {text(figure['period'])}" if figure.get("period") else "")
        + f' <span class="by">— {citation(figure["source"])}</span></li>\n    '
        for figure in figures
    )
    return f'\n  <ul class="event-figures">\n    {items}\n  </ul>\n  '


def _cited(cited):
    # Outside the f-string, where xgettext (makemessages) finds it.
    sources = pgettext("an event card", "Sources (%(count)s)")
    items = "".join(
        f"\n      <li>{citation(entry['source'])}\n        "
        + "".join(f'<blockquote class="quote">{text(quote)}</blockquote>' for quote in entry["quotes"])
        + "\n      </li>\n      "
        for entry in cited
    )
    return (
        "\n  \n  "
        '<details class="citations">\n'
        f"    <summary>{text(sources % {'count': len(cited)})}</summary>\n"
        f"    <ul>\n      {items}\n    </ul>\n  </details>\n  "
    )


@register.simple_tag
def event_card(event):
    """The <li> of one event, from `event.card` (events.views.timeline.with_cards)."""
    card = event.card
    # Outside the f-string, where xgettext (makemessages) finds it.
    with_them = pgettext("an event card, before those taking part", "With")
    ended = card["ended"]
    parts = [
        f'\n<li class="event event-{text(card["kind"])}" id="event-{text(card["uid"])}">\n'
        f'  <p class="event-meta"><time datetime="{text(card["iso"])}">{text(card["date"])}</time>',
        f' – <time datetime="{text(ended["iso"])}">{text(ended["date"])}</time>' if ended else "",
        f"\n    · {text(card['kind_name'])}",
        f" · {text(card['location'])}" if card["location"] else "",
        f'</p>\n  <h3><a href="{text(card["url"])}">{text(card["title"])}</a></h3>\n  ',
        f"<p>{text(card['summary'])}</p>" if card["summary"] else "",
        "\n  ",
        _figures(card["figures"]) if card["figures"] else "",
        "\n  ",
        (
            f'\n  <p class="participants">{text(with_them)}\n    '
            + "; ".join(text(participant) for participant in card["participants"])
            + ".\n  </p>\n  "
        )
        if card["participants"]
        else "",
        "\n  ",
        f"\n  {event_links(card['links'])}\n  " if card["links"] else "",
        "\n  ",
        _cited(card["cited"]) if card["cited"] else "",
        "\n</li>\n",
    ]
    return mark_safe("".join(parts))
