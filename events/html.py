"""HTML written in Python where a template costs too much per row: each value escaped once, as {{ value }} does.

The registry's rows (events/views/registry.py) and the event cards
(events/templatetags/cards.py) are written here rather than by a template
included per row; tests hold each equal, byte for byte, to the template it
replaced, for awkward and hostile values.
"""

import re
from html import escape as escape_text

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString


def text(value):
    """{{ value }} with autoescaping: the value localized (a number) and escaped, once."""
    if type(value) is str:
        return escape_text(value)
    return conditional_escape(localize(value))


def with_person_links(words, people):
    """`words` escaped, each whole occurrence of a name of `people` ({name: page}, tracker.names.people_named_in)
    linked to that person's page: "… said <a href="/prisoners/…/">Siarhei Tsikhanouski</a> …". Longer names first,
    so that "Siarhei Tsikhanouski" is one link, not "Tsikhanouski" inside it; a name inside a longer word is not
    a name."""
    if not people:
        return SafeString(text(words))
    names = sorted(people, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(name) for name in names) + r")(?!\w)", re.IGNORECASE)
    pages = {name.casefold(): page for name, page in people.items()}
    parts, last = [], 0
    for match in pattern.finditer(words):
        parts.append(text(words[last : match.start()]))
        parts.append(f'<a href="{text(pages[match.group(0).casefold()])}">{text(match.group(0))}</a>')
        last = match.end()
    parts.append(text(words[last:]))
    return SafeString("".join(parts))
