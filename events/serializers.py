"""What the JSON API shows of each record: public fields only, with stable names.

Field names follow the CSV columns (documented on /data/) where the two
overlap. Every serializer reads what the public pages read: published
querysets, prefetched by the views, and people through `shown_person`
(events/disclosure.py), which alone decides what an identity level shows.
A field is added, never renamed or removed, within version 1.

Links between records are absolute URLs: `url` is the public page, `api_url`
the record in this API.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import Event, Figure, Measure, Release, date_source, main_mode
from tracker.dates import Precision, date_iso

PRECISIONS = Precision.values


def absolute(context, path):
    return context["request"].build_absolute_uri(path)


def api_url(context, name, key):
    return absolute(context, reverse(f"api:{name}", args=[key]))


class PreciseDateField(serializers.Field):
    """A date only as precise as its source: "2025-12-12", "2025-09" or "2025"; null for none."""

    def __init__(self, date_field, **kwargs):
        self.date_field = date_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        value = getattr(instance, self.date_field)
        return date_iso(value, getattr(instance, f"{self.date_field}_precision")) if value else None


extend_schema_field(
    {"type": "string", "nullable": True, "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$", "example": "2025-09"}
)(PreciseDateField)


class PrecisionField(PreciseDateField):
    """day, month or year; null when there is no date."""

    def to_representation(self, instance):
        return getattr(instance, f"{self.date_field}_precision") if getattr(instance, self.date_field) else None


extend_schema_field({"type": "string", "nullable": True, "enum": [*PRECISIONS, None]})(PrecisionField)


class PageUrl(serializers.Field):
    """The absolute address of the record's public page (its get_absolute_url, or `attribute`)."""

    def __init__(self, attribute=None, **kwargs):
        self.attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        path = getattr(record, self.attribute) if self.attribute else record.get_absolute_url()
        return absolute(self.context, path)


class ApiUrl(serializers.Field):
    """The absolute address of a record in this API, by URL name and key ("uid", or "slug" for measures)."""

    def __init__(self, name, key="uid", of=None, **kwargs):
        self.name, self.key, self.of = name, key, of
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        if self.of:
            record = getattr(record, self.of)
        return api_url(self.context, self.name, getattr(record, self.key))


extend_schema_field(OpenApiTypes.URI)(PageUrl)
extend_schema_field(OpenApiTypes.URI)(ApiUrl)


def precise(date_field, label):
    """The pair of fields for one precise date: the ISO value and its precision."""
    return (
        PreciseDateField(date_field, help_text=f"{label}, ISO 8601 to its precision."),
        PrecisionField(date_field, help_text=f"How precise {label.lower()} is."),
    )


class SourceRefSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The source document; its entry on /sources/ if it has no URL.")
    api_url = ApiUrl("source")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, source):
        return source.url or absolute(self.context, reverse("events:sources")) + f"#source-{source.uid}"


class EventRefSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    title = serializers.CharField()
    url = PageUrl()
    api_url = ApiUrl("event")


class ParticipantSerializer(serializers.Serializer):
    name = serializers.SerializerMethodField(
        help_text="As the public pages name them: initials or “Name withheld” where the person asked."
    )
    role = serializers.CharField()
    kind = serializers.SerializerMethodField(help_text="person or organization")
    person_url = serializers.SerializerMethodField(help_text="The person's public page: only for people named in full.")
    person_api_url = serializers.SerializerMethodField(
        help_text="The person in this API: only for people named in full."
    )

    def named_person(self, participant):
        person = participant.person
        return person if person is not None and person.is_named else None

    def get_name(self, participant) -> str:
        return participant.public_name

    def get_kind(self, participant) -> str:
        return "person" if participant.person_id else "organization"

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_person_url(self, participant):
        person = self.named_person(participant)
        return absolute(self.context, person.get_absolute_url()) if person else None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_person_api_url(self, participant):
        person = self.named_person(participant)
        return api_url(self.context, "person", person.uid) if person else None


class LinkSerializer(serializers.Serializer):
    """A link to another event, read from this event: "in exchange for", "followed by"…"""

    relation = serializers.CharField(help_text="How this event relates to the other, as a phrase.")
    kind = serializers.CharField(help_text="The stored kind of link: in_exchange_for, follows, response_to or part_of.")
    direction = serializers.ChoiceField(
        choices=["outgoing", "incoming"],
        help_text="outgoing: this event <kind> the other; incoming: the other <kind> this event.",
    )
    event = EventRefSerializer()


def event_links(event):
    for link in event.outgoing_links.all():
        yield {"relation": link.get_kind_display(), "kind": link.kind, "direction": "outgoing", "event": link.to_event}
    for link in event.incoming_links.all():
        yield {"relation": link.inverse_label, "kind": link.kind, "direction": "incoming", "event": link.from_event}


class FigureRefSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    measure = serializers.CharField(source="measure.name")
    measure_slug = serializers.CharField(source="measure.slug")
    value = serializers.IntegerField()
    qualifier = serializers.ChoiceField(choices=Figure.Qualifier.choices)
    upper_value = serializers.IntegerField(allow_null=True)
    in_words = serializers.CharField()
    api_url = ApiUrl("figure")


class ReleaseDetailSerializer(serializers.Serializer):
    mode = serializers.CharField(help_text="pardon, exchange, deportation, amnesty, end_of_sentence, other or empty.")
    mode_label = serializers.CharField(source="get_mode_display")
    share = serializers.ChoiceField(
        choices=Release.Share.choices,
        help_text="Of whom the source says it: empty for all of them (or not said), most or some.",
    )
    destination = serializers.CharField()
    destination_country = serializers.SerializerMethodField(help_text="ISO 3166 code, or empty.")
    in_words = serializers.CharField(
        help_text="The detail as the public pages say it: “Forced deportation to Lithuania (most of them)”."
    )

    def get_destination_country(self, detail) -> str:
        return detail.destination_country.code or ""


class ReleaseDetailsSerializer(serializers.Serializer):
    """A release's details, with the one-value fields of the first version of the API kept for its readers."""

    mode = serializers.CharField(
        help_text="The main mode (the one a detention it ends is recorded with: deportation before pardon, "
        "amnesty, end_of_sentence, exchange, other), or empty. Every mode is in `details`."
    )
    mode_label = serializers.CharField()
    destination = serializers.CharField(help_text="The first destination recorded, or empty: all are in `details`.")
    destination_country = serializers.CharField(help_text="Its country (ISO 3166 code), or empty.")
    details = ReleaseDetailSerializer(
        many=True, help_text="How people were freed and where to, each with its share: one or several."
    )


def release_details(details):
    """What ReleaseDetailsSerializer reads of a release's details (Release rows)."""
    mode = main_mode(details)
    first = next((detail for detail in details if detail.destination or detail.destination_country), None)
    return {
        "mode": mode,
        "mode_label": Release.Mode(mode).label if mode else "",
        "destination": first.destination if first else "",
        "destination_country": first.destination_country.code if first and first.destination_country else "",
        "details": details,
    }


class EventSerializer(serializers.Serializer):
    uid = serializers.UUIDField(help_text="The event's stable ID.")
    url = PageUrl(help_text="The event's public page.")
    api_url = ApiUrl("event")
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    summary = serializers.CharField()
    date, date_precision = precise("occurred_on", "The date")
    end_date, end_date_precision = precise("ended_on", "The end date")
    countries = serializers.SerializerMethodField(help_text="ISO 3166 codes of the countries concerned.")
    location = serializers.CharField()
    participants = ParticipantSerializer(many=True, source="participants.all")
    sources = serializers.SerializerMethodField()
    date_source = serializers.SerializerMethodField(
        help_text="The source the date is taken from, where sources date the event differently and the editor said "
        "which (one of `sources`); null otherwise."
    )
    related_events = serializers.SerializerMethodField()
    figures = FigureRefSerializer(
        many=True, source="figures.all", help_text="The current figures reported for this event."
    )
    release = serializers.SerializerMethodField(help_text="For a release: how, and where to.")

    def get_countries(self, event) -> list[str]:
        return [country.code for country in event.countries]

    @extend_schema_field(SourceRefSerializer(allow_null=True))
    def get_date_source(self, event):
        source = date_source(event.citations.all())
        return SourceRefSerializer(source, context=self.context).data if source else None

    @extend_schema_field(SourceRefSerializer(many=True))
    def get_sources(self, event):
        sources = {citation.source_id: citation.source for citation in event.citations.all()}
        return SourceRefSerializer(sources.values(), many=True, context=self.context).data

    @extend_schema_field(LinkSerializer(many=True))
    def get_related_events(self, event):
        return LinkSerializer(list(event_links(event)), many=True, context=self.context).data

    @extend_schema_field(ReleaseDetailsSerializer(allow_null=True))
    def get_release(self, event):
        details = list(event.release_details.all()) if event.kind == Event.Kind.RELEASE else []
        return ReleaseDetailsSerializer(release_details(details)).data if details else None


class ReleaseSerializer(EventSerializer):
    """A release, as a row of the ledger: its counts, the people named, and the deal around it."""

    # The published name of the column (named_released) is kept; inside the code it is linked_released.
    named_released = serializers.IntegerField(
        source="linked_released",
        help_text="How many people this database links to the release, withheld names included: a number, never a name.",
    )
    figures = FigureRefSerializer(
        many=True, source="ledger_figures", help_text="The counts reported for the release, best first."
    )


class MeasureSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    definition = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=Measure.Kind.choices, help_text="stock (at a date), flow (over a period) or per_event."
    )
    unit = serializers.CharField()
    url = PageUrl()
    api_url = ApiUrl("measure", key="slug")
    figures_api_url = serializers.SerializerMethodField(help_text="Every current figure of this measure.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_figures_api_url(self, measure):
        return absolute(self.context, reverse("api:figures") + f"?measure={measure.slug}")


class FigureSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    url = serializers.SerializerMethodField(
        help_text="The public page of its measure, where every report of the number is listed."
    )
    api_url = ApiUrl("figure")
    measure = serializers.CharField(source="measure.name")
    measure_slug = serializers.CharField(source="measure.slug")
    measure_api_url = ApiUrl("measure", key="slug", of="measure")
    value = serializers.IntegerField(help_text="The number, or the lower end of a range.")
    qualifier = serializers.ChoiceField(choices=Figure.Qualifier.choices)
    upper_value = serializers.IntegerField(allow_null=True, help_text="For a range, its upper end.")
    in_words = serializers.CharField(help_text="The figure as the public pages read it: “about 1,200”.")
    unit = serializers.CharField(source="measure.unit")
    as_of, as_of_precision = precise("as_of_on", "The date the number describes")
    period_start, period_start_precision = precise("period_start_on", "The start of the period counted")
    period_end, period_end_precision = precise(
        "period_end_on", "The end of the period counted, if it has ended; null for a count still running"
    )
    period_in_words = serializers.SerializerMethodField(
        help_text="The period as the public pages say it: “since July 2024”, “in 2025”, "
        "“between July 2024 and December 2025”; empty for a count at a date."
    )
    country = serializers.SerializerMethodField(help_text="ISO 3166 code.")
    event = serializers.SerializerMethodField()
    source = SourceRefSerializer()
    attributed_to = serializers.SerializerMethodField(
        help_text="Who the source says made the count, if not the source itself."
    )
    quote = serializers.CharField()
    rank = serializers.ChoiceField(choices=Figure.Rank.choices)
    deprecation_reason = serializers.CharField(help_text="Why a deprecated figure is wrong or superseded.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, figure):
        return absolute(self.context, figure.measure.get_absolute_url())

    def get_country(self, figure) -> str:
        return figure.country.code

    def get_period_in_words(self, figure) -> str:
        return str(figure.period or "")

    @extend_schema_field(EventRefSerializer(allow_null=True))
    def get_event(self, figure):
        return EventRefSerializer(figure.event, context=self.context).data if figure.event else None

    def get_attributed_to(self, figure) -> str:
        return figure.attributed_to.public_name if figure.attributed_to else ""


class ChargeSerializer(serializers.Serializer):
    article = serializers.CharField()
    code = serializers.CharField()
    description = serializers.CharField(help_text="Empty for people shown by initials.")


class DetentionSerializer(serializers.Serializer):
    """One detention as `shown_detention` allows: exact dates and details only for people named in full."""

    custody_status = serializers.CharField(source="custody_status_code", help_text="held, released, …")
    custody_status_label = serializers.CharField(source="custody_status")
    country = serializers.CharField(source="country_code", help_text="ISO 3166 code.")
    detained = serializers.SerializerMethodField(
        help_text="ISO 8601 to its precision; only the year for people shown by initials."
    )
    detained_precision = serializers.SerializerMethodField()
    released = serializers.SerializerMethodField()
    released_precision = serializers.SerializerMethodField()
    release_mode = serializers.CharField()
    release = serializers.SerializerMethodField(
        help_text="The release event that freed them, if this database links one."
    )
    facility = serializers.CharField()
    sentence = serializers.CharField()
    articles = serializers.CharField()
    charges = ChargeSerializer(many=True)
    recognised_by = serializers.SerializerMethodField(help_text="Who recognised them as a political prisoner.")
    recognised_on = serializers.SerializerMethodField()
    recognised_on_precision = serializers.SerializerMethodField()

    @staticmethod
    def iso(value):
        return value.iso if value else None

    @staticmethod
    def precision(value):
        return value.precision if value else None

    @extend_schema_field({"type": "string", "nullable": True, "example": "2021-05"})
    def get_detained(self, shown):
        return self.iso(shown.detained)

    @extend_schema_field({"type": "string", "nullable": True, "enum": [*PRECISIONS, None]})
    def get_detained_precision(self, shown):
        return self.precision(shown.detained)

    @extend_schema_field({"type": "string", "nullable": True, "example": "2025-09-11"})
    def get_released(self, shown):
        return self.iso(shown.released)

    @extend_schema_field({"type": "string", "nullable": True, "enum": [*PRECISIONS, None]})
    def get_released_precision(self, shown):
        return self.precision(shown.released)

    @extend_schema_field(EventRefSerializer(allow_null=True))
    def get_release(self, shown):
        return EventRefSerializer(shown.release, context=self.context).data if shown.release else None

    def get_recognised_by(self, shown) -> str:
        return shown.recognised_by.name if shown.recognised_by else ""

    @extend_schema_field({"type": "string", "nullable": True, "example": "2021"})
    def get_recognised_on(self, shown):
        return self.iso(shown.recognised_on)

    @extend_schema_field({"type": "string", "nullable": True, "enum": [*PRECISIONS, None]})
    def get_recognised_on_precision(self, shown):
        return self.precision(shown.recognised_on)


class PersonSerializer(serializers.Serializer):
    """A person of the registry as `shown_person` allows. Withheld people are never listed."""

    uid = serializers.UUIDField()
    url = PageUrl("url")
    api_url = ApiUrl("person")
    name = serializers.CharField(help_text="The full name, or initials where the person asked for them.")
    is_named = serializers.BooleanField(help_text="True if named in full; false if shown by initials.")
    other_names = serializers.ListField(
        child=serializers.CharField(), help_text="Other spellings (people named in full, person endpoint only)."
    )
    birth_year = serializers.IntegerField(allow_null=True)
    region = serializers.CharField()
    occupation = serializers.CharField()
    description = serializers.CharField()
    detentions = DetentionSerializer(many=True, help_text="The detentions matching the filters, newest first.")


class SourceSerializer(serializers.Serializer):
    uid = serializers.UUIDField()
    url = serializers.SerializerMethodField(help_text="The source's entry on the sources page.")
    api_url = ApiUrl("source")
    title = serializers.CharField()
    publisher = serializers.SerializerMethodField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    language = serializers.CharField()
    source_url = serializers.CharField(source="url", help_text="The document itself.")
    published_on = serializers.DateField(allow_null=True)
    retrieved_on = serializers.DateField(allow_null=True)
    archive_url = serializers.CharField()
    archive_sha256 = serializers.CharField()
    named_detentions = serializers.IntegerField(
        help_text="Published detentions of people named in full that it documents."
    )
    events = EventRefSerializer(many=True, source="cited_events", help_text="The published events citing it.")
    figures = FigureRefSerializer(many=True, source="published_figures", help_text="The published figures it reports.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, source):
        return absolute(self.context, reverse("events:sources")) + f"#source-{source.uid}"

    def get_publisher(self, source) -> str:
        return source.publisher.public_name if source.publisher else ""
