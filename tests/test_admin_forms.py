"""The admin's date fields and the import's date columns read a date with one parser (tracker.dates.parse_precise)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tracker.forms import ReducedDateField
from tracker.imports import CellError, PreciseDateColumn


def read_in_the_admin(text):
    field = ReducedDateField()
    try:
        return field.to_python(text), field.implied_precision
    except ValidationError:
        return "refused"


def read_by_the_import(text):
    try:
        return PreciseDateColumn("date", "occurred_on", "occurred_on_precision").parse(text, importer=None)
    except CellError:
        return "refused"


@pytest.mark.parametrize(
    "text, read",
    [
        ("2025", (datetime.date(2025, 1, 1), "year")),
        ("2025-09", (datetime.date(2025, 9, 1), "month")),
        ("2025-9", (datetime.date(2025, 9, 1), "month")),
        ("2025-13", "refused"),
        ("2025-00", "refused"),
        ("0000", "refused"),  # no year 0: the admin's field once let the ValueError out, a 500
        ("0000-01", "refused"),
        ("soon", "refused"),
    ],
)
def test_the_admin_and_the_import_read_a_reduced_date_alike(text, read):
    assert read_in_the_admin(text) == read_by_the_import(text) == read


def test_a_day_in_figures_leaves_the_precision_to_the_form_and_the_import_reads_it_as_a_day():
    field = ReducedDateField()
    assert (field.to_python("2025-09-14"), field.implied_precision) == (datetime.date(2025, 9, 14), None)
    assert read_by_the_import("2025-09-14") == (datetime.date(2025, 9, 14), "day")


def test_month_names_are_the_admins_alone():
    assert read_in_the_admin("September 2025") == (datetime.date(2025, 9, 1), "month")
    assert read_by_the_import("September 2025") == "refused"
