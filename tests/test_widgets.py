"""FastSelect writes the options Django's Select writes, escaped, without a template per option."""

import re

from django import forms

from events.widgets import FastSelect

CHOICES = [
    ("", "Any facility"),
    ("Калонія № 3", "Калонія № 3"),
    ('<script>alert("x")</script>', 'A & B <script>alert("x")</script>'),
    (42, "Forty-two"),
]
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>(.*?)</option>')


def options(html):
    return [(value, bool(selected), text) for value, selected, text in OPTION.findall(html)]


def test_the_same_options_as_django_select_selected_and_escaped():
    for value in ["", "Калонія № 3", '<script>alert("x")</script>', 42, None]:
        fast = FastSelect(choices=CHOICES).render("facility", value, attrs={"id": "id_facility"})
        django = forms.Select(choices=CHOICES).render("facility", value, attrs={"id": "id_facility"})
        assert options(fast) == options(django), value
        assert fast.startswith('<select name="facility" id="id_facility">') or fast.startswith(
            '<select id="id_facility" name="facility">'
        )
    html = FastSelect(choices=CHOICES).render("facility", "Калонія № 3")
    assert "<script>" not in html and "&lt;script&gt;" in html and "A &amp; B" in html
    assert [selected for _, selected, _ in options(html)] == [False, True, False, False]
