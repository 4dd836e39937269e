"""A source as a citation (title, linked; publisher; date; archived copy), written in Python.

Pages cite sources in every row (the timeline's cards, the ledger's claims,
the measure page's table): as a template included per citation it was a
quarter of the timeline's rendering. The tag writes the same markup, every
value escaped once (events.html.text), the date in words as every date (tracker.dates).
"""

import datetime

from django import template
from django.utils.safestring import mark_safe

from events.html import text
from tracker.dates import Precision, date_in_words

register = template.Library()


def _value(thing, name):
    """thing.name as a template reads it: nothing when thing or the attribute is missing."""
    return getattr(thing, name, None) if thing is not None else None


@register.simple_tag
def citation(source):
    """`{% citation source %}`: a Source, or any object with its url, title, publisher, published_on, archive_url."""
    if source is None or source == "":
        return ""
    url, title = _value(source, "url"), _value(source, "title")
    if url:
        parts = [f'<a href="{text(url)}" rel="noopener noreferrer">{text(title)}</a>']
    else:
        parts = [text(title if title is not None else "")]
    publisher = _value(_value(source, "publisher"), "public_name")
    if publisher:
        parts.append(f", {text(publisher)}")
    published_on = _value(source, "published_on")
    if isinstance(published_on, datetime.date):  # what the date filter printed; anything else it left out
        parts.append(f", {text(date_in_words(published_on, Precision.DAY))}")
    archive_url = _value(source, "archive_url")
    if archive_url:
        parts.append(f' (<a href="{text(archive_url)}" rel="noopener noreferrer">archived copy</a>)')
    return mark_safe("".join(parts))
