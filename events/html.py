"""HTML written in Python where a template costs too much per row: each value escaped once, as {{ value }} does.

The registry's rows (events/views/registry.py) and the event cards
(events/templatetags/cards.py) are written here rather than by a template
included per row; tests hold each equal, byte for byte, to the template it
replaced, for awkward and hostile values.
"""

from html import escape as escape_text

from django.utils.formats import localize
from django.utils.html import conditional_escape


def text(value):
    """{{ value }} with autoescaping: the value localized (a number) and escaped, once."""
    if type(value) is str:
        return escape_text(value)
    return conditional_escape(localize(value))
