"""The editors' workspace: the registry's admin, and the bases every admin page shares.

Shared here: the workflow (status changes only through transitions, checked
on the server), history with restore for Editors, optimistic locking (the
forms are in tracker/forms.py), export of selected rows, and the country filter.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from tracker.countries import used_countries
from tracker.exports import export_selected
from tracker.forms import PersonForm, VersionedForm, with_user
from tracker.history import withhold_from_history
from tracker.imports import ImportAdminMixin, PeopleImporter
from tracker.models import Charge, Detention, DetentionSource, NameVariant, Organization, Person, Source
from tracker.publishing import TRANSITIONS, Publishable, Status


class CountryInUseFilter(admin.SimpleListFilter):
    """Filter by the countries that records actually use, not all 250 of them."""

    title = "country"
    parameter_name = "country"
    field = "country"
    multiple = False  # True for CountryField(multiple=True), stored as "BY,US"

    def lookups(self, request, model_admin):
        return used_countries(
            model_admin.get_queryset(request).order_by().values_list(self.field, flat=True).distinct()
        )

    def queryset(self, request, queryset):
        code = (self.value() or "").upper()
        if not code:
            return queryset
        if code not in dict(countries):
            return queryset.none()
        lookup = f"{self.field}__contains" if self.multiple else self.field
        return queryset.filter(**{lookup: code})


def country_filter(field, multiple=False):
    return type(
        f"{field.title()}Filter", (CountryInUseFilter,), {"field": field, "parameter_name": field, "multiple": multiple}
    )


# --- Permissions --------------------------------------------------------------


def may_edit(user, obj):
    """The record's own rule (Publishable.is_editable_by); with no record (an add page), the permissions decide."""
    return obj is None or obj.is_editable_by(user)


class RecordInline:
    """Mixin for inlines: stale-edit protection, and locked with a locked parent."""

    form = VersionedForm
    extra = 0

    def get_fields(self, request, obj=None):
        # Inline templates render only the listed fields: list the version too.
        return [*super().get_fields(request, obj), "seen_version"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = with_user(kwargs.get("form", self.form), request)
        return super().get_formset(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and may_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit(request.user, obj)


class StackedInline(RecordInline, admin.StackedInline):
    pass


class TabularInline(RecordInline, admin.TabularInline):
    pass


# --- Base admins --------------------------------------------------------------


class RecordAdmin(SimpleHistoryAdmin):
    """Every model's admin: history, restore for Editors, locking, export."""

    form = VersionedForm
    show_full_result_count = False  # no COUNT(*) over a large table per page view
    list_per_page = 50
    actions = ["export_csv"]
    export_exclude_for_non_editors = ()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        first_name, first = fieldsets[0]
        return [(first_name, {**first, "fields": [*first["fields"], "seen_version"]}), *fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "uid"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = with_user(kwargs.get("form", self.form), request)
        return super().get_form(request, obj, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # ModelAdmin's, but for the copy of the POST each inline gets: Django's is a deep copy
        # (1.4 ms for each of an event's seven inlines); a copy of the lists is as safe, their
        # strings being immutable.
        kwargs = {"instance": obj, "prefix": prefix, "queryset": inline.get_queryset(request)}
        if request.method == "POST":
            data = QueryDict(mutable=True, encoding=request.POST.encoding)
            for key, values in request.POST.lists():
                dict.__setitem__(data, key, list(values))
            kwargs |= {"data": data, "files": request.FILES, "save_as_new": "_saveasnew" in request.POST}
        return kwargs

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The history list prints each old version, whose name may need its
        # related rows: build each version once and fetch those rows in one
        # query per relation, not one per version.
        records = list(
            historical_records.object_list if hasattr(historical_records, "object_list") else historical_records
        )
        versions = [record.history_object for record in records]
        relations = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        prefetch_related_objects(versions, *relations)
        for record, version in zip(records, versions):
            record.history_object = version  # shadows simple-history's descriptor
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        # Choices in the words the editor picked them by ("Name withheld", not "withheld"),
        # and no reason at all rather than the word "None".
        words = {
            capfirst(field.verbose_name): dict(field.flatchoices or ())
            for field in self.model._meta.concrete_fields
            if field.choices
        }
        for record in records:
            if record.history_change_reason is None:
                record.history_change_reason = ""
            for change in getattr(record, "history_delta_changes", None) or ():
                choices = words.get(change["field"])
                if choices:
                    change["old"] = choices.get(change["old"], change["old"])
                    change["new"] = choices.get(change["new"], change["new"])

    object_history_template = "admin/tracker/object_history.html"
    # (model, field naming this record) for the rows edited in this page's inlines.
    history_children = ()
    CHILD_HISTORY_LIMIT = 200

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "child_history": self.child_history(obj) if obj else []}
        return super().history_view(request, object_id, extra_context)

    def child_history(self, obj):
        """History rows of the inline rows of `obj`, newest first, each with what it changed."""
        ACTIONS = {"+": "Added", "~": "Changed", "-": "Deleted"}
        entries = []
        for model, field in self.history_children:
            rows = list(
                model.history.filter(**{f"{field}_id": obj.pk})
                .select_related("history_user")
                .order_by("id", "history_date", "history_id")[: self.CHILD_HISTORY_LIMIT]
            )
            previous = {}
            for row in rows:
                before = previous.get(row.id)
                changes = []
                if before is not None and row.history_type == "~":
                    for change in row.diff_against(before).changes:
                        label = model._meta.get_field(change.field).verbose_name
                        changes.append({"field": label, "old": change.old, "new": change.new})
                previous[row.id] = row
                entries.append(
                    {
                        "date": row.history_date,
                        "user": row.history_user,
                        "kind": model._meta.verbose_name,
                        "row": row.history_object,
                        "action": ACTIONS.get(row.history_type, row.history_type),
                        "changes": changes,
                        "reason": row.history_change_reason,
                    }
                )
        return sorted(entries, key=lambda entry: entry["date"], reverse=True)[: self.CHILD_HISTORY_LIMIT]

    def can_restore(self, request, obj):
        # Restoring is an Editor's call: for records with a workflow that is
        # the publish permission; reference data (measures) only Editors change.
        allowed = self.model.can_be_published_by(request.user) if issubclass(self.model, Publishable) else True
        return allowed and self.has_change_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        # Seeing old versions is for everyone who sees the record; restoring
        # one is an Editor's decision.
        return self.can_restore(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.can_restore(request, obj):
                raise PermissionDenied("Only an Editor can restore an earlier version.")
        # simple-history runs the restore outside a transaction; the version
        # check locks the row, which needs one.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    @admin.action(description="Export selected rows as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        hidden = () if request.user.has_perm("tracker.manage_identity") else self.export_exclude_for_non_editors
        return export_selected(self.model, queryset, exclude=hidden)


class PublishableAdmin(RecordAdmin):
    """Records with a workflow: the status moves only through transitions."""

    change_form_template = "admin/tracker/publishable_change_form.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    actions = ["export_csv", "submit", "to_draft", "publish", "retract", "reopen"]

    def get_readonly_fields(self, request, obj=None):
        # Never a form field: a hand-made POST of status=published is ignored.
        return [*super().get_readonly_fields(request, obj), "status"]

    def save_model(self, request, obj, form, change):
        if change:
            # A restored old version brings its old status along: keep the
            # current one, which only the workflow changes.
            obj.status = type(obj)._base_manager.values_list("status", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit(request.user, obj)

    def allowed_transitions(self, request, obj):
        allowed = []
        for transition in TRANSITIONS.values():
            if obj.status not in transition.sources:
                continue
            if transition.needs_publish_permission and not self.model.can_be_published_by(request.user):
                continue
            if not transition.needs_publish_permission and not self.has_change_permission(request, obj):
                continue
            allowed.append(transition)
        return allowed

    def may(self, request, transition):
        if transition.needs_publish_permission:
            return self.model.can_be_published_by(request.user)
        return super().has_change_permission(request)

    def run_transition(self, request, objects, name):
        """Apply one transition to each object; report what moved and why the others did not."""
        transition = TRANSITIONS[name]
        if not self.may(request, transition):
            raise PermissionDenied(f"You may not {transition.label.lower()}.")
        moved, refused = [], []
        for obj in objects:
            if not transition.needs_publish_permission and not self.has_change_permission(request, obj):
                refused.append(f"“{obj}” is {obj.get_status_display().lower()}: only an Editor can change it.")
                continue
            try:
                with transaction.atomic():
                    obj.apply_transition(name)
            except ValidationError as error:
                refused += error.messages
            else:
                moved.append(obj)
        if moved:
            self.message_user(
                request,
                f"{transition.label}: done for {len(moved)} {self.opts.verbose_name if len(moved) == 1 else self.opts.verbose_name_plural}.",
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, f"“{transition.label}” refused: {reason}", messages.ERROR)
        return moved

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        name = request.POST.get("transition", "")
        if name not in TRANSITIONS:
            raise PermissionDenied("Unknown transition.")
        self.run_transition(request, [obj], name)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["transitions"] = self.allowed_transitions(request, obj) if obj is not None else []
        context["can_publish"] = self.model.can_be_published_by(request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.action(description="Submit selected for review", permissions=["change"])
    def submit(self, request, queryset):
        self.run_transition(request, queryset, "submit")

    @admin.action(description="Return selected to draft", permissions=["change"])
    def to_draft(self, request, queryset):
        self.run_transition(request, queryset, "to_draft")

    @admin.action(description="Publish selected", permissions=["publish"])
    def publish(self, request, queryset):
        self.run_transition(request, queryset, "publish")

    @admin.action(description="Retract selected", permissions=["publish"])
    def retract(self, request, queryset):
        self.run_transition(request, queryset, "retract")

    @admin.action(description="Reopen selected as drafts", permissions=["publish"])
    def reopen(self, request, queryset):
        self.run_transition(request, queryset, "reopen")

    def has_publish_permission(self, request):
        return self.model.can_be_published_by(request.user)


# --- The registry -------------------------------------------------------------


@admin.register(Organization)
class OrganizationAdmin(PublishableAdmin):
    list_display = ["name", "kind", "country", "status"]
    list_filter = ["status", "kind", country_filter("country")]
    search_fields = ["name", "name_variants"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "country", "website", "status"]}),
        ("Other names", {"fields": ["name_variants"], "classes": ["collapse"]}),
        ("Internal", {"fields": ["internal_notes", "uid"], "classes": ["collapse"]}),
    ]


class SourceInUse(admin.SimpleListFilter):
    title = "cited"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("yes", "Backs a published record"), ("no", "Backs nothing published")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        # Looked up by name: the registry never imports the events app.
        citation, figure = apps.get_model("events", "Citation"), apps.get_model("events", "Figure")
        backs = Exists(citation.objects.filter(source=OuterRef("pk"), event__status=Status.PUBLISHED)) | Exists(
            figure.objects.filter(source=OuterRef("pk"), status=Status.PUBLISHED)
        )
        return queryset.filter(backs) if self.value() == "yes" else queryset.exclude(backs)


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "status"]
    list_filter = ["status", "kind", "language", SourceInUse]
    list_select_related = ["publisher"]
    search_fields = ["title", "url", "publisher__name"]
    autocomplete_fields = ["publisher"]
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["title", "publisher", "kind", "url", "language", "published_on", "status"]}),
        ("Archive", {"fields": ["retrieved_on", "archive_url", "archive_sha256"], "classes": ["collapse"]}),
        ("Internal", {"fields": ["internal_notes", "uid"], "classes": ["collapse"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        # The picker's labels name the publisher (autocomplete_label): read it with the sources.
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("publisher"), duplicates

    def autocomplete_label(self, source):
        """A source in a picker: its title, publisher and date, as editors tell sources apart."""
        details = [str(part) for part in (source.publisher, source.published_on) if part]
        return f"{source.title} — {', '.join(details)}" if details else source.title

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "title":
            # Titles are long sentences: the whole width, not Django's 20 characters.
            kwargs["widget"] = admin.widgets.AdminTextInputWidget(attrs={"class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class NameVariantInline(TabularInline):
    model = NameVariant
    extra = 1
    fields = ["name", "script", "system", "language"]


class DetentionInline(StackedInline):
    model = Detention
    show_change_link = True
    fields = [
        ("country", "custody_status"),
        ("detained_on", "detained_on_precision"),
        ("released_on", "released_on_precision", "release_mode"),
        "facility",
        "status",
    ]
    readonly_fields = ["status"]


@admin.register(Person)
class PersonAdmin(ImportAdminMixin, PublishableAdmin):
    importer = PeopleImporter
    list_display = ["name", "birth_year", "region", "status"]
    list_filter = ["status", "gender"]
    search_fields = ["name"]  # widened to every variant and spelling in get_search_results
    inlines = [NameVariantInline, DetentionInline]
    history_children = [(NameVariant, "person"), (Detention, "person")]
    export_exclude_for_non_editors = ("identity_level", "internal_notes")
    fieldsets = [
        (None, {"fields": ["name", "description", "status"]}),
        ("Details", {"fields": ["birth_year", "gender", "region", "occupation", "external_id"]}),
        ("Record", {"fields": ["uid"], "classes": ["collapse"]}),
    ]
    identity_fieldset = ("Identity (Editors only)", {"fields": ["identity_level", "internal_notes"]})
    form = PersonForm

    def manages_identity(self, request):
        return request.user.has_perm("tracker.manage_identity")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Raising a person's protection took down the published records naming them (tracker/withholding.py).
        taken_down = getattr(obj, "taken_down", None)
        if taken_down:
            links = format_html_join(
                "",
                '<li>{}: <a href="{}">{}</a></li>',
                (
                    (
                        capfirst(r._meta.verbose_name),
                        reverse(f"admin:{r._meta.app_label}_{r._meta.model_name}_change", args=[r.pk]),
                        str(r),
                    )
                    for r in taken_down
                ),
            )
            self.message_user(
                request,
                format_html(
                    "The public text of these records names this person, so each was taken off the public site "
                    "and is now in review: <ul>{}</ul>Edit each text so that it no longer names the person, "
                    "then publish the record again.",
                    links,
                ),
                messages.WARNING,
            )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.manages_identity(request):
            name, options = self.identity_fieldset
            identity = (name, {**options, "fields": [*options["fields"], "identity_change_reason"]})
            fieldsets = [fieldsets[0], identity, *fieldsets[1:]]
        return fieldsets

    def get_list_display(self, request):
        if self.manages_identity(request):
            return ["name", "identity_level", "birth_year", "region", "status"]
        return super().get_list_display(request)

    def get_list_filter(self, request):
        if self.manages_identity(request):
            return ["status", "identity_level", "gender"]
        return super().get_list_filter(request)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(
            Q(pk__in=Person.objects.matching(search_term)) | Q(external_id=search_term.strip())
        ), False

    def lookup_allowed(self, lookup, value, request=None):
        # Django lets a URL filter on any field of the model; these two would
        # let a Contributor probe what only Editors may see.
        if lookup.split("__")[0] in self.identity_fieldset[1]["fields"] and not (
            request is not None and self.manages_identity(request)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        if not self.manages_identity(request):
            withhold_from_history(historical_records, Person, self.identity_fieldset[1]["fields"])


class ChargeInline(TabularInline):
    model = Charge
    extra = 1
    fields = ["code", "article", "description"]


class DetentionSourceInline(TabularInline):
    model = DetentionSource
    extra = 1
    fields = ["source"]
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources documenting this detention"


@admin.register(Detention)
class DetentionAdmin(PublishableAdmin):
    list_display = ["person", "country", "detained", "custody_status", "facility", "status"]
    list_filter = ["status", "custody_status", country_filter("country"), "release_mode"]
    list_select_related = ["person"]
    search_fields = ["facility"]  # and the person's names, in get_search_results
    autocomplete_fields = ["person", "recognised_by"]
    date_hierarchy = "detained_on"
    inlines = [ChargeInline, DetentionSourceInline]
    history_children = [(Charge, "detention"), (DetentionSource, "detention")]
    fieldsets = [
        (None, {"fields": ["person", "country", "custody_status", "status"]}),
        (
            "Detention",
            {"fields": [("detained_on", "detained_on_precision"), "facility", ("sentence", "sentence_months")]},
        ),
        ("Recognition", {"fields": ["recognised_on", "recognised_by"]}),
        ("Release", {"fields": [("released_on", "released_on_precision"), "release_mode"]}),
        ("Internal", {"fields": ["internal_notes", "external_id", "uid"], "classes": ["collapse"]}),
    ]

    @admin.display(description="detained", ordering="detained_on")
    def detained(self, detention):
        return str(detention.detained or "—")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        named = Q(person__in=Person.objects.matching(term))
        charged = Exists(Charge.objects.filter(detention=OuterRef("pk"), article__iexact=term))
        return queryset.filter(named | charged | Q(facility__icontains=term) | Q(external_id=term)), False
