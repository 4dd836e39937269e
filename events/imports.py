"""Spreadsheet imports of figures and events (the engine is the tracker/imports/ package)."""

from django.db.models import Q

from events.models import Citation, Event, Figure, Measure
from tracker.imports import (
    ChoiceColumn,
    Column,
    CountriesColumn,
    CountryColumn,
    IntegerColumn,
    ListColumn,
    Lookup,
    LookupColumn,
    PreciseDateColumn,
    RecordImporter,
    cells,
    organization_key,
    organizations_named,
    plan_source_links,
    source_key,
    sources_named,
    uids,
)


def measure_key(measure):
    return measure.slug


def event_key(event):
    return event.external_id or str(event.uid)


class FigureImporter(RecordImporter):
    model = Figure
    writes = (Figure,)
    columns = [
        Column("external_id"),
        LookupColumn("measure", "measures", measure_key, required=True),
        IntegerColumn("value"),
        ChoiceColumn("qualifier", Figure.Qualifier),
        IntegerColumn("upper_value"),
        PreciseDateColumn("as_of", "as_of_on", "as_of_on_precision"),
        PreciseDateColumn("period_start", "period_start_on", "period_start_on_precision"),
        PreciseDateColumn("period_end", "period_end_on", "period_end_on_precision"),
        CountryColumn("country"),
        LookupColumn("event", "events", event_key),
        LookupColumn("source", "sources", source_key, required=True),
        LookupColumn("attributed_to", "organizations", organization_key),
        Column("quote"),
        ChoiceColumn("rank", Figure.Rank),
        Column("deprecation_reason"),
    ]

    def queryset(self):
        return Figure.objects.select_related("measure", "source", "event", "attributed_to")

    def lookups_for(self, sheet):
        slugs = cells(sheet, "measure")
        events = cells(sheet, "event")
        return {
            "measures": Lookup(
                Measure.objects.filter(slug__in=slugs) if slugs else [],
                lambda measure: [measure.slug],
                "unknown measure “{}”: use the slug of a measure defined in the admin.",
            ),
            "events": Lookup(
                Event.objects.filter(Q(uid__in=uids(events)) | Q(external_id__in=events)) if events else [],
                lambda event: [str(event.uid), event.external_id],
                "no event has the stable ID or external ID “{}”.",
            ),
            "sources": sources_named(sheet, "source"),
            "organizations": organizations_named(sheet, "attributed_to"),
        }

    def check(self, row_plan, figure, is_new, changes):
        deprecates = any(change.column == "rank" for change in changes) and figure.rank == Figure.Rank.DEPRECATED
        if deprecates and not Figure.can_be_published_by(self.user):
            row_plan.error("rank", "only an Editor can deprecate a figure.")

    def export_rows(self, queryset):
        return super().export_rows(queryset.select_related("measure", "source", "event", "attributed_to"))


class EventImporter(RecordImporter):
    model = Event
    writes = (Event, Citation)
    columns = [
        Column("external_id"),
        ChoiceColumn("kind", Event.Kind),
        Column("title"),
        Column("summary"),
        PreciseDateColumn("date", "occurred_on", "occurred_on_precision"),
        PreciseDateColumn("end_date", "ended_on", "ended_on_precision"),
        CountriesColumn("countries"),
        Column("location"),
    ]
    sources = ListColumn(
        "sources", lambda event: list(dict.fromkeys(source_key(c.source) for c in event.citations.all()))
    )

    def header(self):
        return [*super().header(), "sources"]

    def queryset(self):
        return Event.objects.prefetch_related("citations")

    def lookups_for(self, sheet):
        return {"sources": sources_named(sheet, "sources")}

    def plan_related(self, row_plan, event, row, is_new):
        """Citations of the sources the event does not cite yet: added, never removed."""
        cited = set() if is_new else {citation.source_id for citation in event.citations.all()}
        plan_source_links(
            self, row_plan, row, cited, row_plan.changes, lambda source: Citation(event=event, source=source)
        )

    def export_rows(self, queryset):
        for event in queryset.order_by("pk").prefetch_related("citations__source"):
            yield [event.uid, *(column.export(event) for column in self.columns), self.sources.export(event)]
