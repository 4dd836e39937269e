"""How old a reported number is, where a headline shows it: `{{ figure.as_of|age }}` and `{% if figure|stale:measure %}`.

A year-old headline read as current misleads: "about 1,200 as of 12 December 2025" read in December 2026 says
"a year ago", and past STALE_AFTER_DAYS a headline of a number that changes (people held now, a count since a
date) says plainly that no newer report is recorded. Measured against the server's date; a cached page is
at most tracker.caching.CACHE_SECONDS old.
"""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from events.models import Measure

register = template.Library()

# Six months: the numbers these pages track (people held, released since a date) change within months.
STALE_AFTER_DAYS = 183


@register.filter
def age(precise_date):
    """'a year ago', '3 months ago', 'yesterday': as precisely as the date is known ("" for no date)."""
    return precise_date.age(timezone.localdate()) if precise_date else ""


@register.filter
def stale(figure, measure):
    """Whether a headline of a number that changes is older than STALE_AFTER_DAYS: not one event's count, nor a
    count over a period that has ended ("pardoned in 2025" stays what it was)."""
    if measure.kind == Measure.Kind.PER_EVENT or figure.as_of is None or figure.period_end_on is not None:
        return False
    return figure.as_of.days_ago(timezone.localdate()) > STALE_AFTER_DAYS


@register.simple_tag
def age_note(figure, measure, newer=None):
    """`{% age_note figure measure newer %}`: the note under a headline about its age: that a newer report is
    recorded (`newer`, its date: a Preferred headline above it, events.models.figures.newer_report), else, past
    STALE_AFTER_DAYS, that none is."""
    if newer:
        said = _(
            "A newer report, as of %(date)s, is recorded: this one stays the headline because an editor marked it "
            "Preferred."
        ) % {"date": newer}
    elif stale(figure, measure):
        said = _("No report of this number newer than %(date)s is recorded here: it may have changed since.") % {
            "date": figure.as_of
        }
    else:
        return ""
    return format_html('<p class="stale" role="note">{}</p>', said)
