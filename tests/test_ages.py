"""Issue #15 point 10: a headline says how old it is, and one older than six months says no newer report is recorded."""

import datetime

import pytest

from events.models import Measure
from events.templatetags.ages import STALE_AFTER_DAYS
from tests.factories import make_figure, make_measure
from tracker.dates import age_in_words

TODAY = datetime.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("value", "precision", "words"),
    [
        (datetime.date(2026, 12, 2), "day", "today"),
        (datetime.date(2026, 12, 1), "day", "yesterday"),
        (datetime.date(2026, 11, 20), "day", "12 days ago"),
        (datetime.date(2026, 11, 3), "day", "29 days ago"),
        (datetime.date(2026, 11, 2), "day", "1 month ago"),
        (datetime.date(2026, 6, 2), "day", "6 months ago"),
        (datetime.date(2025, 12, 12), "day", "11 months ago"),
        (datetime.date(2025, 12, 2), "day", "a year ago"),
        (datetime.date(2023, 12, 1), "day", "3 years ago"),
        # A month or a year is measured from its last day, and said no more precisely than it is known.
        (datetime.date(2026, 12, 1), "month", "this month"),
        (datetime.date(2026, 11, 1), "month", "last month"),
        (datetime.date(2026, 9, 1), "month", "3 months ago"),
        (datetime.date(2025, 12, 1), "month", "a year ago"),
        (datetime.date(2026, 1, 1), "year", "this year"),
        (datetime.date(2025, 1, 1), "year", "last year"),
        (datetime.date(2020, 1, 1), "year", "6 years ago"),
        # A date still to come (an editor's slip) is given no age.
        (datetime.date(2027, 1, 5), "day", ""),
        (datetime.date(2027, 1, 1), "year", ""),
    ],
)
def test_age_in_words(value, precision, words):
    assert age_in_words(value, precision, TODAY) == words


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


STALE_NOTE = "No report of this number newer than 12 December 2025 is recorded here: it may have changed since."


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/figures/", "/figures/political-prisoners-held/"])
def test_a_year_old_headline_says_its_age_and_that_nothing_newer_is_recorded(client, belarus, today, url):
    html = client.get(url).content.decode()
    assert "12 December 2025</time> (11 months ago)" in html or "of 12 December 2025 (11 months ago)" in html
    assert STALE_NOTE in html


@pytest.mark.django_db
def test_a_recent_headline_has_its_age_and_no_warning(client, today):
    measure = make_measure(slug="held-now", kind=Measure.Kind.STOCK)
    make_figure(measure=measure, as_of_on=TODAY - datetime.timedelta(days=STALE_AFTER_DAYS))
    html = client.get("/figures/held-now/").content.decode()
    assert "(6 months ago)" in html
    assert 'class="stale"' not in html
    make_figure(measure=measure, as_of_on=TODAY - datetime.timedelta(days=STALE_AFTER_DAYS + 1), rank="preferred")
    # The older one, marked Preferred, heads the number: its note says a newer report is recorded.
    assert "A newer report, as of 2 June 2026, is recorded" in client.get("/figures/held-now/").content.decode()


@pytest.mark.django_db
def test_one_events_count_is_never_called_out_of_date(client, belarus, today):
    # "52 people released" in the September 2025 release is a count of that event: it does not go stale.
    html = client.get("/figures/released-in-release/").content.decode()
    assert "(a year ago)" in html
    assert 'class="stale"' not in html


@pytest.mark.django_db
def test_a_count_over_a_period_that_has_ended_is_never_called_out_of_date(client, today):
    measure = make_measure(slug="pardoned-then", kind=Measure.Kind.FLOW)
    long_ago = TODAY - datetime.timedelta(days=STALE_AFTER_DAYS + 400)
    figure = make_figure(measure=measure, as_of_on=long_ago, period_start_on=long_ago - datetime.timedelta(days=300))
    assert 'class="stale"' in client.get("/figures/pardoned-then/").content.decode()
    figure.period_end_on = long_ago
    figure.save()
    html = client.get("/figures/pardoned-then/").content.decode()
    assert "(a year ago)" in html
    assert 'class="stale"' not in html


NEWER_NOTE = (
    "A newer report, as of 30 November 2026, is recorded: this one stays the headline because an editor marked it "
    "Preferred."
)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/figures/", "/figures/political-prisoners-held/"])
def test_a_preferred_headline_above_a_newer_report_says_so_and_never_that_none_is_newer(client, belarus, today, url):
    # The seed's "about 1,200 as of 12 December 2025" is Preferred; a source reports about 1,150 since.
    held = Measure.objects.get(slug="political-prisoners-held")
    stale_notes = client.get(url).content.decode().count(STALE_NOTE)  # the other measures' headlines are old too
    make_figure(measure=held, value=1150, as_of_on=datetime.date(2026, 11, 30))
    html = client.get(url).content.decode()
    assert "<strong>about 1,200</strong> political prisoners held" in html
    assert NEWER_NOTE in html
    assert html.count(STALE_NOTE) == stale_notes - 1
    # A deprecated report is not a newer report.
    Figure = held.figures.model
    held.figures.filter(value=1150).update(rank=Figure.Rank.DEPRECATED, deprecation_reason="Misread.")
    html = client.get(url).content.decode()
    assert NEWER_NOTE not in html and html.count(STALE_NOTE) == stale_notes
