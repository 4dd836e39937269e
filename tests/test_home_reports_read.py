"""The home page reads the reports it shows, not every report: a measure had 725 at 200,000 people."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from events.models import Figure, Measure
from events.thinning import MOST_MARKS
from events.views.timeline import OTHER_REPORTS_SHOWN
from tracker.models import Organization, Source

pytestmark = pytest.mark.django_db


def add_reports(count):
    """`count` more published reports of the number held, from two organisations, older than the seed's."""
    held = Measure.objects.get(slug="political-prisoners-held")
    publishers = [Organization.objects.create(name=f"Monitor {n}", kind="ngo", status="published") for n in (1, 2)]
    sources = [Source.objects.create(title=f"Report of {p.name}", publisher=p, status="published") for p in publishers]
    Figure.objects.bulk_create(
        Figure(
            measure=held,
            value=1000 + day,
            as_of_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=day),
            country="BY",
            source=sources[day % 2],
            status="published",
        )
        for day in range(count)
    )


def figures_made(client):
    """The page's HTML and how many Figure instances the request made (read from the database or not)."""
    made = []

    def note(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(note, sender=Figure)
    try:
        html = client.get("/").content.decode()
    finally:
        post_init.disconnect(note, sender=Figure)
    return html, len(made)


def test_home_reads_a_bounded_number_of_figures_however_many_reports(client, belarus):
    measures = Measure.objects.count()
    bound = measures * (1 + OTHER_REPORTS_SHOWN) + MOST_MARKS
    add_reports(bound + 50)
    held_reports = Figure.objects.filter(measure__slug="political-prisoners-held", country="BY", status="published")
    total = held_reports.exclude(rank="deprecated").count()
    html, made = figures_made(client)
    # What it shows is still about every report: how many, and the chart's share of them.
    assert f"{total - 1} other reports of this number" in html
    assert f"All {total - 1} other reports, side by side with their sources" in html
    assert f"The chart draws {MOST_MARKS} of the {total} reports" in html
    assert made <= bound


def test_home_query_count_does_not_grow_with_reports(client, belarus):
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    add_reports(200)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
