from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError

from events.imports import EventImporter, FigureImporter
from events.models import Citation, Event, EventLink, Figure, Measure, Participant, Release, ReleasedDetention
from tracker.admin import PublishableAdmin, RecordAdmin, StackedInline, TabularInline, country_filter
from tracker.forms import VersionedForm, with_user
from tracker.imports import ImportAdminMixin
from tracker.publishing import Status


class ParticipantInline(TabularInline):
    model = Participant
    extra = 1
    fields = ["person", "organization", "role"]
    autocomplete_fields = ["person", "organization"]


class CitationInline(TabularInline):
    model = Citation
    extra = 1
    # The box before the quote: a wide quote pushed it past the inline's edge at 1280 px.
    fields = ["source", "gives_date", "quote"]
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


class ReleaseInline(TabularInline):
    model = Release
    extra = 1
    fields = ["mode", "share", "destination", "destination_country"]
    verbose_name_plural = (
        "release details (for events of kind “Release”): one row for each way people were freed or place they "
        "were sent, as “pardon”, then “forced deportation to Lithuania, most of them”"
    )


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
        ("period_end_on", "period_end_on_precision"),
        ("source", "attributed_to"),
        "quote",
        ("rank", "deprecation_reason"),
        "status",
    ]
    readonly_fields = ["status"]
    verbose_name_plural = "figures reported for this event (one per source and count)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.countries:
            # A figure of this event counts in one of its countries: those first, the event's only one chosen
            # already, rather than one of 250 to find in every row.
            field = formset.form.base_fields["country"]
            own = [(country.code, country.name) for country in obj.countries]
            codes = {code for code, _ in own}
            blank, *others = list(field.choices)
            field.choices = [blank, *own, *(choice for choice in others if choice[0] not in codes)]
            if len(own) == 1:
                field.initial = own[0][0]
        return formset


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
    list_display = ["name", "kind", "registry_count", "unit", "position"]
    list_filter = ["kind", "registry_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "kind",
                    "unit",
                    "definition",
                    "registry_count",
                    "registry_release_mode",
                    "position",
                ]
            },
        )
    ]


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
                    ("period_end_on", "period_end_on_precision"),
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.say_headline(request, obj)

    def run_transition(self, request, objects, name):
        moved = super().run_transition(request, objects, name)
        # Once per number (measure and country), however many of its figures moved.
        for figure in {(figure.measure_id, figure.country.code): figure for figure in moved}.values():
            self.say_headline(request, figure)
        return moved

    def say_headline(self, request, figure):
        for level, message in headline_messages(figure):
            self.message_user(request, message, level)


def headline_messages(figure):
    """What an editor is told after saving or moving a figure: which published figure heads its number (its measure
    in its country) now, and why, by the rule the public pages apply (FigureQuerySet.ranked: Preferred before
    Normal, then the most recent); and what in the ranking looks like a slip: two figures marked Preferred, or a
    newer figure below an older Preferred one. [(message level, text)]."""
    rivals = Figure.objects.published().current().filter(measure_id=figure.measure_id, country=figure.country)
    number = f"“{figure.measure.name}” in {figure.country.name}"
    if figure.measure.kind == Measure.Kind.PER_EVENT:
        # One event's count: its rivals are the other reports of that event's count.
        rivals = rivals.filter(event_id=figure.event_id)
        if figure.event_id:
            number = f"“{figure.measure.name}” in “{figure.event.title}”"
    ranked = list(rivals.ranked().select_related("measure"))
    said = []
    if figure.status != Status.PUBLISHED:
        said.append(
            (
                messages.INFO,
                f"This figure is {figure.get_status_display().lower()}: it is not public, and cannot head {number} "
                "until it is published.",
            )
        )
    if not ranked:
        return [
            *said,
            (messages.INFO, f"No published figure of {number} yet: the public pages show no headline for it."),
        ]
    headline = ranked[0]
    preferred = [candidate for candidate in ranked if candidate.rank == Figure.Rank.PREFERRED]
    if len(preferred) > 1:
        why = f"it is the most recent of the {len(preferred)} figures marked Preferred"
    elif preferred:
        why = "it is marked Preferred"
    else:
        why = "no figure is marked Preferred, and it is the most recent"
    this = " (this figure)" if headline.pk == figure.pk else ""
    said.append((messages.INFO, f"The headline of {number} is {headline}{this}: {why}."))
    if len(preferred) > 1:
        others = "; ".join(str(candidate) for candidate in preferred[1:])
        said.append(
            (
                messages.WARNING,
                f"{len(preferred)} published figures of {number} are marked Preferred. The most recent heads it; "
                f"the others are {others}. Mark only the one you want as the headline Preferred, the others Normal.",
            )
        )
    newer = [candidate for candidate in ranked if candidate.as_of_on > headline.as_of_on]
    if headline.rank == Figure.Rank.PREFERRED and newer:
        said.append(
            (
                messages.WARNING,
                f"A more recent published figure of {number} stays below the Preferred one: {newer[0]}. If it should "
                "be the headline, mark it Preferred (and the older one Normal); if not, it stays as it is.",
            )
        )
    return said
