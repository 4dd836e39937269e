"""FastSelect writes the options Django's Select writes, escaped, without a template per option."""

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from events.widgets import FastDateInput, FastInput, FastNumberInput, FastSelect, FastTextInput

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


@pytest.mark.parametrize(
    ("fast", "django_widget"),
    [(FastTextInput, forms.TextInput), (FastNumberInput, forms.NumberInput), (FastDateInput, forms.DateInput)],
)
@pytest.mark.parametrize(
    "value", [None, "", "Losik", "<script>alert(\"x\")</script> & 'q'", mark_safe("<b>safe</b>"), 2021, 0]
)
@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"maxlength": 200, "id": "id_q"},
        {"type": "date", "required": True, "disabled": False, "data-x": '"quoted" <tag>'},
    ],
)
def test_the_same_input_as_django_writes(fast, django_widget, value, attrs):
    # Every filter's text, year and date input (events/filters.py) is written by FastInput: Django's markup.
    extra = {"id": "id_field", "aria-invalid": "true"}
    assert fast(attrs=dict(attrs)).render("field", value, dict(extra)) == django_widget(attrs=dict(attrs)).render(
        "field", value, dict(extra)
    )


def test_the_filters_inputs_are_written_in_python():
    from events.filters import EventFilter, PrisonerFilter

    widgets = {
        name: type(field.widget)
        for filterset in (EventFilter(), PrisonerFilter())
        for name, field in filterset.form.fields.items()
        if isinstance(field.widget, forms.widgets.Input) and not isinstance(field.widget, forms.CheckboxInput)
    }
    assert widgets and all(issubclass(widget, FastInput) for widget in widgets.values()), widgets
