"""A <select> written in Python: the filters' long lists of choices without a template per option.

Django renders each <option> of a Select through a template of its own; the
registry's filter of releases, facilities and articles has thousands of
options at scale, and rendering them took a quarter of a second per page.
FastSelect writes the same markup (name, id and other attributes, the
selected option, every value and label escaped) in one pass: format_html's
per-call wrappers cost more than the escaping at thousands of options.
"""

import functools
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


def escaped(text):
    """What conditional_escape() returns, without its per-call wrappers: markup already safe stays as it is."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return escape(str(text), quote=True)


@functools.lru_cache(maxsize=64)
def written_options(choices, language):
    """Each option's value, and its markup unselected and selected: written once per list of choices.

    A filter's choices change only with the data, so the same list comes
    back page after page; the key is the list itself (and the language its
    labels were written in).
    """
    written = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # a group of options: not used by our filters
            raise ValueError("FastSelect does not write option groups.")
        value = "" if value is None else str(value)
        start, end = f'<option value="{escaped(value)}"', f">{escaped(label)}</option>"
        written.append((value, start + end, f"{start} selected{end}"))
    return tuple(written)


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = (
            {"" if value is None else str(value)} if not isinstance(value, (list, tuple)) else {str(v) for v in value}
        )
        choices = tuple((option_value, label) for option_value, label in self.choices)
        written = []
        for option_value, plain, chosen in written_options(choices, get_language()):
            if option_value in selected:
                written.append(chosen)
                if not self.allow_multiple_selected:
                    selected = ()  # as Select does: one value selects its first option only
            else:
                written.append(plain)
        return mark_safe(f"<select{flatatt(attrs)}>{''.join(written)}</select>")


class FastInput:
    """An <input> written in Python: the bytes of Django's input.html (and text.html, number.html, date.html,
    which include it), without the two templates per field that cost about 0.15 ms each on every list page.

    Mixed into Django's own input widgets, so that their attributes, value formatting and localisation stay
    theirs; tests/test_widgets.py holds the markup equal to Django's for awkward and hostile values.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{escaped(widget["value"])}"')
        for attribute, setting in widget["attrs"].items():
            if setting is True:
                parts.append(f" {escaped(attribute)}")
            elif setting is not False:
                parts.append(f' {escaped(attribute)}="{escaped(setting)}"')
        return mark_safe("".join(parts) + ">")


class FastTextInput(FastInput, forms.TextInput):
    """Django's TextInput (<input type="text">), written by FastInput."""


class FastNumberInput(FastInput, forms.NumberInput):
    """Django's NumberInput (<input type="number">), written by FastInput."""


class FastDateInput(FastInput, forms.DateInput):
    """Django's DateInput (<input type="date">), written by FastInput."""
