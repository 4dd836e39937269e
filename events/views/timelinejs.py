"""The (filtered) timeline as TimelineJS JSON, for newsrooms that embed Knight Lab's TimelineJS.

TimelineJS renders its `text` fields as HTML, so every value is escaped
here; dates keep their precision (a month has no day, a year no month).
"""

from django.http import JsonResponse
from django.utils.html import escape, format_html, format_html_join

from events.filters import EventFilter, bad_filters, filtered_or_400
from events.models import Event
from tracker.dates import Precision, date_in_words

LIMIT = 500  # TimelineJS slows down long before this; the CSV has everything


def timelinejs_date(value, precision):
    if value is None:
        return None
    date = {"year": str(value.year)}
    if precision in (Precision.MONTH, Precision.DAY):
        date["month"] = str(value.month)
    if precision == Precision.DAY:
        date["day"] = str(value.day)
    date["display_date"] = date_in_words(value, precision)
    return date


def slide(event, request):
    participants = format_html_join("; ", "{}", ((p.public_label,) for p in event.participants.all()))
    figures = format_html_join("", "<li>{} {}</li>", ((f.in_words, f.measure.name) for f in event.figures.all()))
    sources = format_html_join(
        "", '<li><a href="{}">{}</a></li>', ((c.source.url or "#", c.source.title) for c in event.citations.all())
    )
    text = format_html(
        '<p>{}</p>{}{}{}<p><a href="{}">Full record</a></p>',
        event.summary,
        format_html("<ul>{}</ul>", figures) if figures else "",
        format_html("<p>With {}.</p>", participants) if participants else "",
        format_html("<p>Sources:</p><ul>{}</ul>", sources) if sources else "",
        request.build_absolute_uri(event.get_absolute_url()),
    )
    data = {
        "unique_id": str(event.uid),
        "start_date": timelinejs_date(event.occurred_on, event.occurred_on_precision),
        "text": {"headline": escape(event.title), "text": str(text)},
        "group": event.get_kind_display(),
    }
    if event.ended_on:
        data["end_date"] = timelinejs_date(event.ended_on, event.ended_on_precision)
    return data


def timeline_timelinejs(request):
    filterset = EventFilter(request.GET or None, queryset=Event.objects.published())
    events, status = filtered_or_400(filterset)
    if status == 400:
        return bad_filters(filterset)
    events = events.in_date_order().with_details()[:LIMIT]
    return JsonResponse(
        {
            "title": {
                "text": {"headline": "Political prisoner release tracker", "text": "Timeline of published events"}
            },
            "events": [slide(event, request) for event in events],
        },
        json_dumps_params={"ensure_ascii": False},
    )
