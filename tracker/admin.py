from django.contrib import admin
from django_countries import countries

from tracker.models import Charge, Detention, NameVariant, Organization, Person, Source


class CountryInUseFilter(admin.SimpleListFilter):
    """Filter by the countries that records actually use, not all 250 of them."""

    title = "country"
    parameter_name = "country"
    field = "country"
    multiple = False  # True for CountryField(multiple=True), stored as "BY,US"

    def lookups(self, request, model_admin):
        stored = model_admin.get_queryset(request).order_by().values_list(self.field, flat=True).distinct()
        codes = {code for value in stored for code in str(value).split(",") if code}
        return sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        code = (self.value() or "").upper()
        if not code:
            return queryset
        if code not in dict(countries):
            return queryset.none()
        lookup = f"{self.field}__contains" if self.multiple else self.field
        return queryset.filter(**{lookup: code})


def country_filter(field, multiple=False):
    return type(f"{field.title()}Filter", (CountryInUseFilter,), {"field": field, "parameter_name": field, "multiple": multiple})


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "status"]
    list_filter = ["status", "kind", country_filter("country")]
    search_fields = ["name", "name_variants"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["name", "kind", "country", "website", "status"]}),
        ("Other names", {"fields": ["name_variants"], "classes": ["collapse"]}),
        ("Internal", {"fields": ["internal_notes", "uid"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["uid"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "status"]
    list_filter = ["status", "kind", "language"]
    list_select_related = ["publisher"]
    search_fields = ["title", "url", "publisher__name"]
    autocomplete_fields = ["publisher"]
    date_hierarchy = "published_on"
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "publisher", "kind", "url", "language", "published_on", "status"]}),
        ("Archive", {"fields": ["retrieved_on", "archive_url", "archive_sha256"], "classes": ["collapse"]}),
        ("Internal", {"fields": ["internal_notes", "uid"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["uid"]


class NameVariantInline(admin.TabularInline):
    model = NameVariant
    extra = 1
    fields = ["name", "script", "system", "language"]


class DetentionInline(admin.StackedInline):
    model = Detention
    extra = 0
    show_change_link = True
    fields = [
        ("country", "custody_status", "status"),
        ("detained_on", "detained_on_precision"),
        ("released_on", "released_on_precision", "release_mode"),
        "facility",
    ]
    fk_name = "person"


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "identity_level", "birth_year", "region", "status"]
    list_filter = ["status", "identity_level", "gender"]
    search_fields = ["name", "name_variants__name"]
    show_full_result_count = False
    inlines = [NameVariantInline, DetentionInline]
    fieldsets = [
        (None, {"fields": ["name", "description", "status"]}),
        ("Identity", {"fields": ["identity_level", "internal_notes"]}),
        ("Details", {"fields": ["birth_year", "gender", "region", "occupation"]}),
        ("Record", {"fields": ["uid"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["uid"]



class ChargeInline(admin.TabularInline):
    model = Charge
    extra = 1
    fields = ["code", "article", "description"]


@admin.register(Detention)
class DetentionAdmin(admin.ModelAdmin):
    list_display = ["person", "country", "detained_on", "custody_status", "facility", "status"]
    list_filter = ["status", "custody_status", country_filter("country"), "release_mode"]
    list_select_related = ["person"]
    search_fields = ["person__name", "person__name_variants__name", "facility", "charges__article"]
    autocomplete_fields = ["person", "recognised_by", "sources"]
    date_hierarchy = "detained_on"
    show_full_result_count = False
    inlines = [ChargeInline]
    fieldsets = [
        (None, {"fields": ["person", "country", "custody_status", "status"]}),
        ("Detention", {"fields": [("detained_on", "detained_on_precision"), "facility", ("sentence", "sentence_months")]}),
        ("Recognition", {"fields": ["recognised_on", "recognised_by"]}),
        ("Release", {"fields": [("released_on", "released_on_precision"), "release_mode"]}),
        ("Evidence", {"fields": ["sources"]}),
        ("Internal", {"fields": ["internal_notes", "uid"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["uid"]
