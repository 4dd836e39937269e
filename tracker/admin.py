from django.contrib import admin

from tracker.models import Charge, Detention, NameVariant, Organization, Person, Source


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "status"]
    list_filter = ["status", "kind", "country"]
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
    list_filter = ["status", "custody_status", "country", "release_mode"]
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
