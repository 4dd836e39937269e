from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple

from events.models import (
    Citation,
    Event,
    EventLink,
    Figure,
    Measure,
    Participant,
    Release,
    ReleasedDetention,
)
from tracker.admin import country_filter


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 1
    autocomplete_fields = ["person", "organization"]


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 1
    autocomplete_fields = ["source"]


class EventLinkInline(admin.TabularInline):
    model = EventLink
    fk_name = "from_event"
    extra = 1
    fields = ["kind", "to_event", "note"]
    autocomplete_fields = ["to_event"]
    verbose_name = "link from this event"
    verbose_name_plural = "links from this event — read as: this event · kind · other event"


class IncomingEventLinkInline(admin.TabularInline):
    model = EventLink
    fk_name = "to_event"
    extra = 0
    fields = ["from_event", "kind", "note"]
    autocomplete_fields = ["from_event"]
    verbose_name = "link to this event"
    verbose_name_plural = "links to this event — read as: other event · kind · this event"


class FigureInline(admin.StackedInline):
    model = Figure
    extra = 0
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
    verbose_name_plural = "figures reported for this event"


class ReleaseInline(admin.StackedInline):
    model = Release
    extra = 0
    max_num = 1
    show_change_link = True  # the named people released are edited on the release's own page
    fields = ["mode", "destination", "destination_country"]
    verbose_name_plural = "release details (for events of kind “Release”)"


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "date", "countries", "status"]
    list_filter = ["status", "kind", country_filter("countries", multiple=True), "occurred_on_precision"]
    search_fields = ["title", "summary", "location"]
    date_hierarchy = "occurred_on"
    show_full_result_count = False
    inlines = [ReleaseInline, ParticipantInline, CitationInline, EventLinkInline, IncomingEventLinkInline, FigureInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "summary", "status"]}),
        ("When and where", {"fields": [("occurred_on", "occurred_on_precision"), ("ended_on", "ended_on_precision"), "countries", "location"]}),
        ("Internal", {"fields": ["internal_notes", "uid"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["uid"]

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


class ReleasedDetentionInline(admin.TabularInline):
    model = ReleasedDetention
    extra = 1
    autocomplete_fields = ["detention"]
    verbose_name_plural = "named people released (their detentions)"


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["event", "mode", "destination"]
    list_filter = ["mode", "event__status"]
    list_select_related = ["event"]
    search_fields = ["event__title", "destination"]
    autocomplete_fields = ["event"]
    show_full_result_count = False
    inlines = [ReleasedDetentionInline]


@admin.register(EventLink)
class EventLinkAdmin(admin.ModelAdmin):
    list_display = ["from_event", "kind", "to_event"]
    list_filter = ["kind"]
    list_select_related = ["from_event", "to_event"]
    search_fields = ["from_event__title", "to_event__title"]
    autocomplete_fields = ["from_event", "to_event"]
    show_full_result_count = False


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "definition"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Figure)
class FigureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "country", "event", "source", "rank", "status"]
    list_filter = ["status", "rank", "qualifier", "measure", country_filter("country")]
    list_select_related = ["measure", "source", "event"]
    search_fields = ["quote", "source__title", "measure__name"]
    autocomplete_fields = ["measure", "event", "source", "attributed_to"]
    date_hierarchy = "as_of_on"
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["measure", "country", "event", "status"]}),
        ("The number", {"fields": [("value", "qualifier", "upper_value"), ("as_of_on", "as_of_on_precision"), ("period_start_on", "period_start_on_precision")]}),
        ("Who says so", {"fields": ["source", "attributed_to", "quote"]}),
        ("Rank", {"fields": ["rank", "deprecation_reason"]}),
        ("Internal", {"fields": ["internal_notes", "uid"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["uid"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "role"]
    list_select_related = ["event", "person", "organization"]
    search_fields = ["role", "person__name", "organization__name", "event__title"]
    autocomplete_fields = ["event", "person", "organization"]
    show_full_result_count = False


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["source", "event"]
    list_select_related = ["source", "event"]
    search_fields = ["quote", "source__title", "event__title"]
    autocomplete_fields = ["event", "source"]
    show_full_result_count = False
