from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError

from events.imports import EventImporter, FigureImporter
from events.models import Citation, Event, EventLink, Figure, Measure, Participant, Release, ReleasedDetention
from tracker.admin import PublishableAdmin, RecordAdmin, StackedInline, TabularInline, country_filter
from tracker.forms import VersionedForm, with_user
from tracker.imports import ImportAdminMixin


class ParticipantInline(TabularInline):
    model = Participant
    extra = 1
    fields = ["person", "organization", "role"]
    autocomplete_fields = ["person", "organization"]


class CitationInline(TabularInline):
    model = Citation
    extra = 1
    fields = ["source", "quote"]
    autocomplete_fields = ["source"]


class EventLinkInline(TabularInline):
    model = EventLink
    fk_name = "from_event"
    extra = 1
    fields = ["kind", "to_event", "note"]
    autocomplete_fields = ["to_event"]
    verbose_name = "link from this event"
    verbose_name_plural = "links from this event — read as: this event · kind · other event"


class IncomingEventLinkInline(TabularInline):
    model = EventLink
    fk_name = "to_event"
    fields = ["from_event", "kind", "note"]
    autocomplete_fields = ["from_event"]
    verbose_name = "link to this event"
    verbose_name_plural = "links to this event — read as: other event · kind · this event"


class ReleaseInline(StackedInline):
    model = Release
    max_num = 1
    fields = ["mode", "destination", "destination_country"]
    verbose_name_plural = "release details (for events of kind “Release”)"


class ReleasedDetentionInline(TabularInline):
    model = ReleasedDetention
    fk_name = "release"
    extra = 1
    fields = ["detention"]
    autocomplete_fields = ["detention"]
    verbose_name = "named person released"
    verbose_name_plural = "named people released (their detentions; for events of kind “Release”)"


class FigureInline(StackedInline):
    model = Figure
    autocomplete_fields = ["measure", "source", "attributed_to"]
    fields = [
        ("measure", "country"),
        ("value", "qualifier", "upper_value"),
        ("as_of_on", "as_of_on_precision"),
        ("period_start_on", "period_start_on_precision"),
        ("source", "attributed_to"),
        "quote",
        ("rank", "deprecation_reason"),
        "status",
    ]
    readonly_fields = ["status"]
    verbose_name_plural = "figures reported for this event (one per source and count)"


class FigureForm(VersionedForm):
    """Deprecating a figure is an Editor's call; the admin passes the user in."""

    user = None

    def clean_rank(self):
        rank = self.cleaned_data.get("rank")
        changed = rank != getattr(self.instance, "rank", None)
        if rank == Figure.Rank.DEPRECATED and changed and not Figure.can_be_published_by(self.user):
            raise ValidationError("Only an Editor can deprecate a figure.")
        return rank


@admin.register(Event)
class EventAdmin(ImportAdminMixin, PublishableAdmin):
    importer = EventImporter
    list_display = ["title", "kind", "date", "countries", "status"]
    list_filter = ["status", "kind", country_filter("countries", multiple=True), "occurred_on_precision"]
    search_fields = ["title", "summary", "location", "external_id"]
    date_hierarchy = "occurred_on"
    inlines = [
        ReleaseInline,
        ReleasedDetentionInline,
        ParticipantInline,
        CitationInline,
        EventLinkInline,
        IncomingEventLinkInline,
        FigureInline,
    ]
    history_children = [
        (Release, "event"),
        (ReleasedDetention, "release"),
        (Participant, "event"),
        (Citation, "event"),
        (EventLink, "from_event"),
        (EventLink, "to_event"),
        (Figure, "event"),
    ]
    fieldsets = [
        (None, {"fields": ["kind", "title", "summary", "status"]}),
        (
            "When and where",
            {
                "fields": [
                    ("occurred_on", "occurred_on_precision"),
                    ("ended_on", "ended_on_precision"),
                    "countries",
                    "location",
                ]
            },
        ),
        ("Internal", {"fields": ["internal_notes", "external_id", "uid"], "classes": ["collapse"]}),
    ]

    @admin.display(description="date", ordering="occurred_on")
    def date(self, event):
        return str(event.occurred)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "title":
            kwargs["widget"] = admin.widgets.AdminTextInputWidget(attrs={"class": "vLargeTextField"})
        if db_field.name == "countries":
            # Two searchable lists (available / chosen) instead of 250 options
            # where one stray click clears the selection.
            kwargs["widget"] = FilteredSelectMultiple("countries", is_stacked=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if isinstance(inline, FigureInline):
                inline.form = with_user(FigureForm, request)
        return inlines


@admin.register(Measure)
class MeasureAdmin(RecordAdmin):
    list_display = ["name", "kind", "unit", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [(None, {"fields": ["name", "slug", "kind", "unit", "definition", "position"]})]


@admin.register(Figure)
class FigureAdmin(ImportAdminMixin, PublishableAdmin):
    importer = FigureImporter
    list_display = ["__str__", "country", "event", "source", "rank", "status"]
    list_filter = ["status", "rank", "qualifier", "measure", country_filter("country")]
    list_select_related = ["measure", "source", "event"]
    search_fields = ["quote", "source__title", "measure__name", "external_id"]
    autocomplete_fields = ["measure", "event", "source", "attributed_to"]
    date_hierarchy = "as_of_on"
    fieldsets = [
        (None, {"fields": ["measure", "country", "event", "status"]}),
        (
            "The number",
            {
                "fields": [
                    ("value", "qualifier", "upper_value"),
                    ("as_of_on", "as_of_on_precision"),
                    ("period_start_on", "period_start_on_precision"),
                ]
            },
        ),
        ("Who says so", {"fields": ["source", "attributed_to", "quote"]}),
        ("Rank", {"fields": ["rank", "deprecation_reason"]}),
        ("Internal", {"fields": ["internal_notes", "external_id", "uid"], "classes": ["collapse"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = with_user(FigureForm, request)
        return super().get_form(request, obj, **kwargs)
