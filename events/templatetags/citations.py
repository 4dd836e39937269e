"""A source as a citation (title, linked; publisher; date; archived copy), written in Python.

Pages cite sources in every row (the timeline's cards, the ledger's claims,
the measure page's table): as a template included per citation it was a
quarter of the timeline's rendering. The tag writes the same markup, every
value escaped once, the date as the `date` filter writes it.
"""

from django import template
from django.template.defaultfilters import date
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

LINK = '<a href="{}" rel="noopener noreferrer">{}</a>'
ARCHIVED = ' (<a href="{}" rel="noopener noreferrer">archived copy</a>)'


def _value(thing, name):
    """thing.name as a template reads it: nothing when thing or the attribute is missing."""
    return getattr(thing, name, None) if thing is not None else None


@register.simple_tag
def citation(source):
    """`{% citation source %}`: a Source, or any object with its url, title, publisher, published_on, archive_url."""
    if source is None or source == "":
        return ""
    url, title = _value(source, "url"), _value(source, "title")
    parts = [format_html(LINK, url, title) if url else conditional_escape(title if title is not None else "")]
    publisher = _value(_value(source, "publisher"), "public_name")
    if publisher:
        parts.append(format_html(", {}", publisher))
    published_on = _value(source, "published_on")
    if published_on:
        parts.append(format_html(", {}", date(published_on, "j F Y")))
    archive_url = _value(source, "archive_url")
    if archive_url:
        parts.append(format_html(ARCHIVED, archive_url))
    return mark_safe("".join(parts))
