"""A <select> written in Python: the filters' long lists of choices without a template per option.

Django renders each <option> of a Select through a template of its own; the
registry's filter of releases, facilities and articles has thousands of
options at scale, and rendering them took a quarter of a second per page.
FastSelect writes the same markup (name, id and other attributes, the
selected option, every label escaped) with format_html.
"""
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {"" if value is None else str(value)} if not isinstance(value, (list, tuple)) else {str(v) for v in value}
        options = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # a group of options: not used by our filters
                raise ValueError("FastSelect does not write option groups.")
            option_value = "" if option_value is None else str(option_value)
            options.append((option_value, mark_safe(" selected") if option_value in selected else "", label))
        return format_html(
            "<select{}>{}</select>",
            flatatt(attrs),
            format_html_join("", '<option value="{}"{}>{}</option>', options),
        )
