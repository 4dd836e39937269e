"""The columns of an import: a cell read into a value, a record's value written back as a cell.

Each importer declares its columns from these (tracker/imports/people.py,
events/imports.py), and docs/import.md documents them for editors. The
related records a sheet names (organisations, sources) are fetched in one
query for the whole sheet (Lookup), as are the records its key columns name
(Existing).
"""

import datetime
import re
import uuid

from django.db.models import Q

from tracker.dates import Precision, date_iso, parse_precise
from tracker.imports.plans import Change
from tracker.models import Organization, Source

LIST_SEPARATOR = "|"


class CellError(ValueError):
    """One cell cannot be read; the message names the value and the fix."""


_EXAMPLE_UID = "b1000003-0000-4000-8000-000000000001"


def parse_precise_date(value):
    """'2025-12-12', '2025-09', '2025' or a date cell → (date, precision); empty → (None, None)."""
    if value == "":
        return None, None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value, Precision.DAY
    try:
        parsed = parse_precise(str(value))
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed
    raise CellError(f"“{value}” is not a date: write 2025-12-12, 2025-09 or 2025.")


def parse_uid(value):
    """A stable ID as stored (lower-case UUID); empty → ''."""
    if value == "":
        return ""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise CellError(f"“{value}” is not a stable ID (a UUID such as {_EXAMPLE_UID}).") from None


def parse_list(value, separators=LIST_SEPARATOR):
    items = re.split(f"[{re.escape(separators)}]", str(value)) if value != "" else []
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


class Column:
    """A sheet column bound to one model field: read a cell, read a record, write a cell."""

    def __init__(self, name, field=None):
        self.name = name
        self.field = field or name

    @property
    def fields(self):
        """The model fields this column sets, to put validation errors under its name."""
        return (self.field,)

    def parse(self, value, importer):
        return str(value)  # a date cell in a text column reads as its ISO date

    def current(self, obj):
        return getattr(obj, self.field)

    def assign(self, obj, value):
        setattr(obj, self.field, value)

    def represent(self, value):
        """The value as a cell: what the export writes and the preview shows."""
        return "" if value is None else value

    def export(self, obj):
        return self.represent(self.current(obj))


class IntegerColumn(Column):
    def parse(self, value, importer):
        if value == "":
            return None
        try:
            number = float(str(value).replace(" ", ""))
        except ValueError:
            number = None
        if number is None or not number.is_integer():
            raise CellError(f"“{value}” is not a whole number.")
        return int(number)


class ChoiceColumn(Column):
    """Accepts the stored value or the label the admin shows, in any case."""

    def __init__(self, name, choices, field=None):
        super().__init__(name, field)
        self.choices = choices
        self.known = {}
        for stored, label in choices.choices:
            self.known[stored.casefold()] = stored
            self.known[str(label).casefold()] = stored

    def parse(self, value, importer):
        if value == "":
            return ""  # whether it may be blank is the model's to say
        try:
            return self.known[str(value).casefold()]
        except KeyError:
            allowed = ", ".join(stored for stored in self.choices.values if stored)
            raise CellError(f"“{value}” is not one of: {allowed}.") from None


class PreciseDateColumn(Column):
    """A date and its precision in one cell: '2025-12-12', '2025-09' or '2025'."""

    def __init__(self, name, field, precision_field):
        super().__init__(name, field)
        self.precision_field = precision_field

    @property
    def fields(self):
        return (self.field, self.precision_field)

    def parse(self, value, importer):
        return parse_precise_date(value)

    def current(self, obj):
        value = getattr(obj, self.field)
        return (value, getattr(obj, self.precision_field)) if value is not None else (None, None)

    def assign(self, obj, value):
        day, precision = value
        setattr(obj, self.field, day)
        if day is not None:
            setattr(obj, self.precision_field, precision)

    def represent(self, value):
        return date_iso(*value) if value[0] is not None else ""


class DateColumn(Column):
    """A full date (no precision stored beside it)."""

    def parse(self, value, importer):
        day, precision = parse_precise_date(value)
        if day is not None and precision != Precision.DAY:
            raise CellError(f"“{value}” needs a day: write it as 2025-12-12.")
        return day

    def represent(self, value):
        return value.isoformat() if value else ""


class CountryColumn(Column):
    def parse(self, value, importer):
        code = str(value).upper()
        if code and code not in importer.country_codes:
            raise CellError(f"“{value}” is not a two-letter country code (ISO 3166) such as BY.")
        return code

    def current(self, obj):
        return getattr(obj, self.field).code or ""


class CountriesColumn(Column):
    """Several country codes in one cell, separated by commas or pipes."""

    def parse(self, value, importer):
        codes = tuple(sorted(code.upper() for code in parse_list(value, ",|")))
        wrong = [code for code in codes if code not in importer.country_codes]
        if wrong:
            raise CellError(f"{', '.join(wrong)}: not two-letter country codes (ISO 3166) such as BY.")
        return codes

    def current(self, obj):
        return tuple(sorted(country.code for country in getattr(obj, self.field)))

    def assign(self, obj, value):
        setattr(obj, self.field, list(value))

    def represent(self, value):
        return ",".join(value)


class LookupColumn(Column):
    """A foreign key, written in the sheet as the related record's name, URL or key."""

    def __init__(self, name, lookup, key, field=None, required=False):
        super().__init__(name, field)
        self.lookup = lookup  # the importer's Lookup that reads the cell back
        self.key = key  # related record → cell
        self.required = required

    def parse(self, value, importer):
        return importer.lookups[self.lookup].find(value) if value != "" else None

    def current(self, obj):
        return getattr(obj, self.field) if getattr(obj, f"{self.field}_id") is not None else None

    def represent(self, value):
        return self.key(value) if value is not None else ""


def organization_key(organization):
    return organization.name


def source_key(source):
    return source.url or str(source.uid)


class Lookup:
    """Related records that a sheet names, fetched in one query for the whole sheet."""

    def __init__(self, records, keys, missing):
        self.found = {}
        for record in records:
            for key in keys(record):
                if key:
                    self.found.setdefault(key, {})[record.pk] = record
        self.missing = missing

    def find(self, value):
        matches = list(self.found.get(str(value), {}).values())
        if not matches:
            raise CellError(self.missing.format(value))
        if len(matches) > 1:
            raise CellError(f"“{value}” names {len(matches)} records: use the stable ID instead.")
        return matches[0]


def cells(sheet, *columns):
    """Every non-empty value of these columns in the sheet, lists split."""
    values = set()
    for _, row in sheet.rows:
        for column in columns:
            values.update(parse_list(row.get(column, "")))
    return values


def uids(values):
    """The values that are UUIDs, for one lookup query; the others are reported by the row that holds them."""
    valid = set()
    for value in values:
        try:
            valid.add(parse_uid(value))
        except CellError:
            pass
    return valid


def organizations_named(sheet, *columns):
    names = cells(sheet, *columns)
    return Lookup(
        Organization.objects.filter(name__in=names) if names else [],
        lambda organization: [organization.name],
        "no organisation is named “{}”: add it in the admin first, or check the spelling.",
    )


def plan_source_links(importer, row_plan, row, cited, changes, make_link):
    """Plan links to the sources in the row's "sources" cell that are not linked yet.

    Links are added, never removed; `cited` holds the primary keys already linked.
    """
    for value in parse_list(row.get("sources", "")):
        try:
            source = importer.lookups["sources"].find(value)
        except CellError as error:
            row_plan.error("sources", error)
            continue
        if source.pk not in cited:
            cited.add(source.pk)
            changes.append(Change("sources", None, f"+ {value}"))
            row_plan.children.append(make_link(source))


def sources_named(sheet, *columns):
    values = cells(sheet, *columns)
    records = Source.objects.filter(Q(url__in=values) | Q(uid__in=uids(values))) if values else []
    return Lookup(
        records,
        lambda source: [source.url, str(source.uid)],
        "no source has the URL or stable ID “{}”: add the source in the admin first.",
    )


class Existing:
    """The records a sheet's key columns name, fetched in one query."""

    def __init__(self, queryset, sheet, uid_column, external_id_column, lock=False):
        keys = {value for _, row in sheet.rows if (value := row.get(uid_column, ""))}
        external_ids = {str(value) for _, row in sheet.rows if (value := row.get(external_id_column, ""))}
        records = []
        if keys or external_ids:
            records = queryset.filter(Q(uid__in=uids(keys)) | Q(external_id__in=external_ids))
            if lock:
                # Held until the import commits: nobody edits a row between
                # its plan and its write. Ignored by SQLite, which locks the
                # whole database for the transaction anyway.
                records = records.select_for_update(of=("self",))
        self.by_uid, self.by_external_id = {}, {}
        for record in records:
            self.by_uid[str(record.uid)] = record
            if record.external_id:
                self.by_external_id[record.external_id] = record


class ListColumn:
    """Related rows named in one cell, separated by pipes; import adds, never deletes."""

    def __init__(self, name, items):
        self.name = name
        self.items = items  # obj → the names of its related rows

    def export(self, obj):
        return f" {LIST_SEPARATOR} ".join(self.items(obj))
