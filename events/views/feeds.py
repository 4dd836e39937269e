"""Atom feeds of the published timeline: every country, and one per country."""

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django_countries import countries

from events.models import Event, Participant
from tracker.text import xml_safe

ITEMS = 50


class AtomFeed(Atom1Feed):
    """Atom of the text as it is, less the characters XML 1.0 cannot hold (tracker/text.py).

    Django's XML writer raises on them, which made the whole feed a 500: text
    saved before the forms refused them, or restored from a backup, must not.
    Every value the feed is given passes here, the feed's own and each item's.
    """

    def __init__(self, **feed):
        super().__init__(**{name: self.safe(name, value) for name, value in feed.items()})

    def add_item(self, **item):
        super().add_item(**{name: self.safe(name, value) for name, value in item.items()})

    @staticmethod
    def safe(name, value):
        if name == "categories" and value:
            return [xml_safe(str(category)) for category in value]
        return xml_safe(value)


class TimelineFeed(Feed):
    feed_type = AtomFeed
    title = "Political prisoner release tracker: timeline"
    subtitle = "Meetings, releases, sanctions changes and statements, each from a named source."

    def link(self):
        return reverse("events:timeline")

    def items(self):
        return self.events()[:ITEMS]

    def events(self):
        # Two queries: the events, then their participants (published people
        # and organisations only; a person is shown by public name below).
        participants = Participant.objects.published().select_related("person", "organization")
        return (
            Event.objects.published().newest_first().prefetch_related(Prefetch("participants", queryset=participants))
        )

    def item_title(self, event):
        # Atom titles are text, not HTML: no escaping here, the XML writer does it.
        return event.title

    def item_description(self, event):
        # Atom summaries are HTML: format_html escapes every value.
        where = f" · {event.location}" if event.location else ""
        parts = [
            format_html(
                '<p><time datetime="{}">{}</time> · {}{}</p>',
                event.occurred.iso,
                event.occurred,
                event.get_kind_display(),
                where,
            )
        ]
        if event.summary:
            parts.append(format_html("<p>{}</p>", event.summary))
        participants = event.participants.all()
        if participants:
            names = format_html_join("; ", "{}", ((p.public_label,) for p in participants))
            parts.append(format_html("<p>With {}.</p>", names))
        return format_html_join("", "{}", ((part,) for part in parts))

    def item_guid(self, event):
        return f"urn:uuid:{event.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        # The event's own date may be known only to the month: it is in the
        # summary, in its precision. Feed dates say when the record was written.
        return event.created_at

    def item_updateddate(self, event):
        # Moved only by changes the public sees (tracker/public_changes.py), never by internal notes.
        return event.public_updated_at

    def item_categories(self, event):
        return [event.get_kind_display(), *(country.name for country in event.countries)]


class CountryFeed(TimelineFeed):
    def get_object(self, request, country):
        code = country.upper()
        if len(code) != 2 or code not in dict(countries):
            raise Http404("No such country.")
        return code

    def title(self, code):
        return f"Political prisoner release tracker: {countries.name(code)}"

    def link(self, code):
        return f"{reverse('events:timeline')}?country={code}"

    def items(self, code):
        return self.events().in_country(code)[:ITEMS]
