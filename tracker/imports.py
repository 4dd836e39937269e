"""Spreadsheet imports in the admin: upload, preview every row, confirm, all or nothing.

A sheet (CSV or XLSX) is read into rows by tracker/sheets.py, streamed and
refused at the first limit it passes, and an importer plans each row against
the database: which record it matches (by stable ID, else by external
ID), what it would create or change, and what is wrong with it. Nothing is
written until the editor has seen the whole plan and confirmed; then the
sheet is planned again, against the database as it is by then, and written in
one transaction. One bad row writes nothing.

Everything is written in bulk, a few hundred rows per query, doing what
save() would (Importer.save_records(); a model whose save() does more is
saved one by one): records first, parents before children, then the child
rows (name variants, charges, the sources of a detention, citations) with
their queryset's bulk_create(). History keeps each change, one row per
record, with the importing user and the reason "import <file>"
(publishing.write_history()). The admin's export of the same models writes exactly the
importer's columns, escaped as every export is, so export → edit → import
changes only what was edited. The columns are documented in docs/import.md.
"""

import datetime
import gc
import json
import logging
import os
import re
import secrets
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, wraps
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Case, CheckConstraint, F, Prefetch, Q, UniqueConstraint, Value, When
from django.db.models.functions import Cast
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django_countries import countries
from django_countries.fields import CountryField

from tracker.caching import data_changed
from tracker.dates import PreciseDates, Precision, date_iso, parse_precise
from tracker.exports import csv_response
from tracker.models import (
    Charge,
    Detention,
    DetentionSource,
    IdentityLevel,
    NameVariant,
    Organization,
    Person,
    Source,
    person_search_key,
)
from tracker.names import listed_names
from tracker.outages import unreachable
from tracker.publishing import Record, write_history
from tracker.sheets import MAX_BYTES, SheetError, read_sheet
from tracker.text import problem_characters

logger = logging.getLogger(__name__)

# Rows the preview lists with a character no feed or spreadsheet can carry; past them, it says so once.
MAX_CHARACTER_ERRORS = 100
LIST_SEPARATOR = "|"


# --- Cells to values ----------------------------------------------------------


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


# --- Constraints ------------------------------------------------------------------


class _AskTheDatabase(Exception):
    pass


_COMPARE = {
    "exact": lambda value, other: value == other,
    "in": lambda value, other: value in other,
    "gt": lambda value, other: value > other,
    "gte": lambda value, other: value >= other,
    "lt": lambda value, other: value < other,
    "lte": lambda value, other: value <= other,
}


def holds(condition, obj, exclude):
    """A constraint's condition on an unsaved record: True, False, or None for SQL's unknown.

    Only plain comparisons of the record's own fields (with values or other
    fields); anything else raises _AskTheDatabase.
    """
    if isinstance(condition, Q):
        if condition.connector not in (Q.AND, Q.OR):
            raise _AskTheDatabase
        results = [holds(child, obj, exclude) for child in condition.children]
        decisive, other = (False, True) if condition.connector == Q.AND else (True, False)
        result = decisive if decisive in results else (None if None in results else other)
        return result if result is None or not condition.negated else not result
    if not isinstance(condition, tuple):
        raise _AskTheDatabase  # an expression: Length(), Lower()…
    lookup, other = condition
    name, _, operator = lookup.partition("__")
    value = _field_value(obj, name, exclude)
    if isinstance(other, F):
        other = _field_value(obj, other.name, exclude)
    elif hasattr(other, "resolve_expression"):
        raise _AskTheDatabase
    operator = operator or "exact"
    if operator == "isnull":
        return (value is None) == other
    if operator == "exact" and other is None:
        return value is None
    if operator not in _COMPARE:
        raise _AskTheDatabase
    if value is None or other is None:
        return None
    return _COMPARE[operator](value, other)


def _field_value(obj, name, exclude):
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        raise _AskTheDatabase from None
    if model_field.is_relation or name in exclude or not model_field.concrete:
        raise _AskTheDatabase
    return model_field.get_prep_value(getattr(obj, model_field.attname))


def constraint_errors(obj, exclude, errors):
    """What validate_constraints() finds, with most check constraints decided without a query.

    full_clean() asks the database once per constraint, a dozen queries for a
    detention: minutes for a 5,000-row sheet. A check made of plain
    comparisons is evaluated here instead, failing only on false as the
    database does (unknown passes); a unique constraint whose condition is
    false for this record cannot be broken. The rest still go to the database.
    """
    using = router.db_for_write(type(obj), instance=obj)
    for model, constraints in obj.get_constraints():
        for constraint in constraints:
            condition = getattr(constraint, "condition", None)
            try:
                result = holds(condition, obj, exclude) if condition is not None else "ask"
            except _AskTheDatabase:
                result = "ask"
            if isinstance(constraint, CheckConstraint) and result != "ask":
                if result is False:
                    errors.setdefault(NON_FIELD_ERRORS, []).append(
                        ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
                    )
                continue
            if isinstance(constraint, UniqueConstraint) and result is False:
                continue
            if isinstance(constraint, UniqueConstraint) and any(name in exclude for name in constraint.fields):
                continue  # as UniqueConstraint.validate() does, without building its queryset first
            try:
                constraint.validate(model, obj, exclude=exclude, using=using)
            except ValidationError as error:
                # Placed as Model.validate_constraints() places them.
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    return errors


# --- Plans --------------------------------------------------------------------


@dataclass
class Change:
    column: str
    old: object  # None for a new record
    new: object

    def __str__(self):
        new = self.new if self.new not in ("", None) else "(empty)"
        if self.old is None:
            return f"{self.column}: {new}"
        old = self.old if self.old != "" else "(empty)"
        return f"{self.column}: {old} → {new}"


@dataclass
class RowPlan:
    number: int
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    writes: list = field(default_factory=list)  # records to create or save, parents first
    children: list = field(default_factory=list)  # new child rows, created in bulk after every row's writes
    created: bool = False
    bad_columns: set = field(default_factory=set)
    label: str = ""  # which record the row is about, for the preview

    @property
    def action(self):
        if self.errors:
            return "error"
        if self.created:
            return "create"
        return "update" if self.changes else "unchanged"

    def error(self, column, message):
        self.bad_columns.add(column)
        self.errors.append(f"{column}: {message}" if column else message)


@dataclass
class Plan:
    filename: str
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # about the sheet as a whole
    warnings: list = field(default_factory=list)

    @property
    def counts(self):
        counts = Counter(row.action for row in self.rows)
        return {action: counts[action] for action in ("create", "update", "unchanged", "error")}

    @property
    def is_valid(self):
        return bool(self.rows) and not self.problems and not any(row.errors for row in self.rows)


# --- Importers ----------------------------------------------------------------

_full_collections = threading.Lock()
_full_collections_postponed = 0
_gc_threshold = None


@contextmanager
def full_collections_postponed():
    """No full garbage collection while a sheet is planned or written; young ones go on.

    A 5,000-row sheet holds a million objects, and each full collection scans
    them all: a dozen of them took a third of the time a confirm took. The
    young generations are still collected, so short-lived cycles are freed as
    usual and the memory used does not grow. The threshold is the process's:
    it is restored when the last import running in any thread ends.
    """
    global _full_collections_postponed, _gc_threshold
    with _full_collections:
        if _full_collections_postponed == 0:
            _gc_threshold = gc.get_threshold()
            gc.set_threshold(_gc_threshold[0], _gc_threshold[1], 1_000_000_000)
        _full_collections_postponed += 1
    try:
        yield
    finally:
        with _full_collections:
            _full_collections_postponed -= 1
            if _full_collections_postponed == 0:
                gc.set_threshold(*_gc_threshold)


def postponing_full_collections(method):
    @wraps(method)
    def wrapper(*args, **kwargs):
        with full_collections_postponed():
            return method(*args, **kwargs)

    return wrapper


class Importer:
    """Plans and writes one sheet for one user; subclasses declare the columns."""

    model = None
    # Every model a row can create or change: importing needs add and change on each.
    writes = ()

    def __init__(self, user, filename=""):
        self.user = user
        self.filename = filename
        self.reason = f"import {filename}"[:100]  # history_change_reason holds 100 characters
        self._choice_fields = {}  # model → its fields clean_choices() checks
        self._choice_values = {}  # field → its choices

    @cached_property
    def country_codes(self):
        # Iterating django-countries sorts and translates 250 names: once per import, not per cell.
        return frozenset(code for code, _ in countries)

    @classmethod
    def may_import(cls, user):
        return all(
            user.has_perm(f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}")
            for model in cls.writes
            for action in ("add", "change")
        )

    def header(self):
        """The columns this user imports and exports, in order."""
        raise NotImplementedError

    def ignored_columns(self):
        """Columns of the importer this user may not set: (names, why)."""
        return set(), ""

    def prepare(self, sheet, lock):
        """Fetch, once for the whole sheet, the records the rows name."""

    def plan_row(self, number, row):
        raise NotImplementedError

    @postponing_full_collections
    def plan(self, sheet, lock=False):
        plan = Plan(sheet.filename)
        known = set(self.header())
        hidden, why = self.ignored_columns()
        unknown = [name for name in sheet.header if name not in known | hidden]
        if not known & set(sheet.header):
            plan.problems.append(
                "None of the columns is one this import reads: is the first row the header? "
                f"Expected: {', '.join(self.header())}."
            )
            return plan
        if not sheet.rows:
            plan.problems.append("The sheet has no rows below the header.")
            return plan
        if unknown:
            plan.warnings.append(f"Ignored columns (not part of this import): {', '.join(unknown)}.")
        ignored = [name for name in sheet.header if name in hidden]
        if ignored:
            plan.warnings.append(f"Ignored columns: {', '.join(ignored)}. {why}")
        # A cell holding a character that feeds and spreadsheets cannot carry
        # (a NUL, which PostgreSQL also refuses; Word's vertical tab…) is an
        # error on its row, and the row is not planned: its values reach no query.
        refused = {}
        for number, row in sheet.rows:
            for name, value in row.items():
                problem = problem_characters(value) if name in known else None
                if problem:
                    refused.setdefault(number, RowPlan(number)).error(name, problem)
            if len(refused) > MAX_CHARACTER_ERRORS:
                # The same error on every row of a sheet that is mostly such
                # characters would only make the preview long: said once.
                first = refused[min(refused)]
                plan.problems.append(
                    f"More than {MAX_CHARACTER_ERRORS} rows hold characters that web feeds and spreadsheets cannot "
                    f"carry; the first is row {first.number}, {first.errors[0]} Nothing of the sheet was planned."
                )
                return plan
        if refused:
            sheet = replace(sheet, rows=[(number, row) for number, row in sheet.rows if number not in refused])
        self.claimed = {}  # (key column, value) → first row naming it
        self.matched = {}  # (model, pk) → the row that changes that record
        self.prepare(sheet, lock)
        plan.rows = [self.plan_row(number, row) for number, row in sheet.rows]
        if refused:
            plan.rows = sorted([*plan.rows, *refused.values()], key=lambda row_plan: row_plan.number)
        return plan

    @postponing_full_collections
    def apply(self, plan):
        """Write every row of a valid plan, or nothing."""
        if not plan.is_valid:
            raise ValueError("A plan with errors cannot be applied.")
        with transaction.atomic():
            # Records in bulk, one model at a time, parents first (the order of
            # `writes`): saved one by one, each with its own history row from
            # post_save, a 5,000-row sheet took half a minute.
            records = {}
            for row in plan.rows:
                for obj in row.writes:
                    records.setdefault(type(obj), {})[id(obj)] = obj
            self.prepare_writes(plan)
            order = {model: n for n, model in enumerate(self.writes)}
            for model in sorted(records, key=lambda model: order.get(model, len(order))):
                self.save_records(model, list(records[model].values()))
            # Child rows (names, charges, sources, citations) in bulk, after
            # their parents exist: saved one by one, their signals and history
            # rows made a 5,000-row sheet take minutes. RecordQuerySet.bulk_create()
            # still writes their history, with the user and reason set on each.
            children = {}
            for row in plan.rows:
                for child in row.children:
                    child._history_user = self.user
                    child._change_reason = self.reason
                    children.setdefault(type(child), []).append(child)
            for model, objs in children.items():
                model.objects.bulk_create(objs, batch_size=500)
            data_changed()

    # The save() methods whose work save_records() does itself: the version
    # (Record), the truncated dates (PreciseDates). A model with any other
    # save() in its classes is saved one by one, as a form would save it.
    bulk_saves = frozenset({models.Model.save, Record.save, PreciseDates.save})
    WRITE_BATCH = 500

    def saves_in_bulk(self, model):
        return all(klass.__dict__["save"] in self.bulk_saves for klass in model.__mro__ if "save" in klass.__dict__)

    def prepare_writes(self, plan):
        """Set what the models' save() would compute, before the records are written in bulk."""

    def save_records(self, model, objs):
        """What save() does to each record, in bulk: an INSERT or UPDATE per batch, and one of history.

        New records go through RecordQuerySet.bulk_create(), which writes
        their history ("+"). Changed ones are updated through the base manager,
        whose update() adds no history, and write_history() then records them
        ("~"). Either way with the user and the reason set on each record, as
        self.save() sets them. No signals are sent: the only save receivers of
        these models are history's and the fixture loader's
        (tests/test_import_people.py checks).
        """
        if not self.saves_in_bulk(model):
            for obj in objs:
                self.save(obj)
            return
        for obj in objs:
            obj._history_user = self.user
            obj._change_reason = self.reason
            if isinstance(obj, PreciseDates):
                obj.truncate_dates()
        new = [obj for obj in objs if obj._state.adding]
        changed = [obj for obj in objs if not obj._state.adding]
        if new:
            model.objects.bulk_create(new, batch_size=self.WRITE_BATCH)
        if changed:
            self.update_records(model, changed)
            write_history(model, changed, "~", using=router.db_for_write(model))

    def update_records(self, model, objs):
        """UPDATE the fields that changed, a batch of records per query: what save() would store.

        A field with one value across the batch is set as it is; only fields
        whose values differ take a CASE (bulk_update() gives every field one,
        whose cost grows with the square of the batch).
        """
        now = {}
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False):  # updated_at: one time for the whole import
                now[f.attname] = f.pre_save(objs[0], False)
        for obj in objs:
            obj.version += 1  # as Record.save(); the query adds 1 to the (locked) row's
            for f in model._meta.concrete_fields:
                if f.attname in now:
                    setattr(obj, f.attname, now[f.attname])
                else:
                    f.pre_save(obj, False)
        fields = [model._meta.get_field(name) for name in self.fields_changed(model, objs) if name != "version"]
        manager = model._base_manager
        cast = connections[router.db_for_write(model)].features.requires_casted_case_in_updates
        for start in range(0, len(objs), self.WRITE_BATCH):
            batch = objs[start : start + self.WRITE_BATCH]
            values = {"version": F("version") + 1}
            for f in fields:
                try:
                    distinct = len({f.get_prep_value(getattr(obj, f.attname)) for obj in batch})
                except TypeError:  # values that cannot be hashed (JSON): a CASE
                    distinct = len(batch)
                if distinct == 1:
                    values[f.attname] = Value(getattr(batch[0], f.attname), output_field=f)
                else:
                    case = Case(
                        *(When(pk=obj.pk, then=Value(getattr(obj, f.attname), output_field=f)) for obj in batch),
                        output_field=f,
                    )
                    values[f.attname] = Cast(case, output_field=f) if cast else case  # as bulk_update()
            manager.filter(pk__in=[obj.pk for obj in batch]).update(**values)

    def fields_changed(self, model, objs):
        """Names of the fields any of `objs` holds a value for that differs from its row in the database."""
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
        changed = set()
        for start in range(0, len(objs), self.WRITE_BATCH):
            batch = {obj.pk: obj for obj in objs[start : start + self.WRITE_BATCH]}
            rows = model._base_manager.filter(pk__in=batch).values_list("pk", *(f.attname for f in fields))
            for pk, *stored in rows:
                obj = batch[pk]
                for f, value in zip(fields, stored):
                    if f.name not in changed and f.get_prep_value(getattr(obj, f.attname)) != f.get_prep_value(value):
                        changed.add(f.name)
        return [f.name for f in fields if f.name in changed]

    # Planning, shared by the importers.

    def match(self, row_plan, row, existing, model, uid_column, external_id_column):
        """The record the row's keys name (new if they name none): (record, is_new), or (None, False) after an error."""
        try:
            uid = parse_uid(row.get(uid_column, ""))
        except CellError as error:
            row_plan.error(uid_column, error)
            return None, False
        external_id = str(row.get(external_id_column, ""))
        for column, value in ((uid_column, uid), (external_id_column, external_id)):
            if value and (column, value) in self.claimed:
                row_plan.error(
                    column, f"“{value}” is also in row {self.claimed[column, value]}: each record goes in one row."
                )
                return None, False
        for column, value in ((uid_column, uid), (external_id_column, external_id)):
            if value:
                self.claimed[column, value] = row_plan.number
        if uid:
            record = existing.by_uid.get(uid)
            if record is None:
                row_plan.error(uid_column, f"no {model._meta.verbose_name} has the stable ID {uid}.")
                return None, False
        else:
            record = existing.by_external_id.get(external_id) if external_id else None
        if record is None:
            return model(), True
        earlier = self.matched.get((model, record.pk))
        if earlier:
            row_plan.error(uid_column, f"row {earlier} already names this {model._meta.verbose_name} by its other key.")
            return None, False
        self.matched[model, record.pk] = row_plan.number
        return record, False

    def fill(self, row_plan, obj, columns, row, is_new):
        """Set the row's cells on `obj`; return the changes. An absent column leaves its field alone."""
        changes = []
        for column in columns:
            if column.name not in row:
                continue
            try:
                value = column.parse(row[column.name], self)
            except CellError as error:
                row_plan.error(column.name, error)
                continue
            if is_new and value in ("", None, (None, None), ()):
                continue  # an empty cell leaves a new record's default
            old = column.current(obj)
            if value != old:
                column.assign(obj, value)
                changes.append(Change(column.name, None if is_new else column.represent(old), column.represent(value)))
        for column in columns:
            if isinstance(column, LookupColumn) and column.required and column.current(obj) is None:
                if column.name not in row_plan.bad_columns:
                    row_plan.error(column.name, "required.")
        return changes

    def validate(self, row_plan, obj, columns, exclude=(), existing=None):
        """full_clean(): field checks, the model's clean() and its named constraints.

        With `existing`, the records that hold any external ID of the sheet,
        the external ID's uniqueness is checked against them, not queried.
        """
        # Foreign keys were resolved from the database already (and may point
        # to a record this import has yet to create); the stable ID is
        # generated, never imported.
        exclude = {"uid", *exclude}
        errors = {}
        try:
            obj.full_clean(exclude=exclude | self.clean_choices(obj, exclude), validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # As full_clean() does: no constraint checks on fields already wrong.
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        if existing is not None and "external_id" not in exclude:
            exclude.add("external_id")
            owner = existing.by_external_id.get(obj.external_id) if obj.external_id else None
            if owner is not None and owner.pk != obj.pk:
                errors.setdefault("external_id", []).append(
                    f"Another {obj._meta.verbose_name} already has this external ID."
                )
        errors = constraint_errors(obj, exclude, errors)
        columns_by_field = {name: column.name for column in columns for name in column.fields}
        for name, problems in ValidationError(errors).message_dict.items() if errors else ():
            column = columns_by_field.get(name, "" if name == NON_FIELD_ERRORS else name)
            if column not in row_plan.bad_columns or not column:
                for problem in problems:
                    row_plan.errors.append(f"{column}: {problem}" if column else problem)

    def clean_choices(self, obj, exclude):
        """Clean the choice fields of `obj` that hold a valid choice, as clean_fields() would; return their names.

        Field.validate() looks for the value among the field's choices one by
        one, and django-countries makes a country's list anew each time: a
        third of the time a 5,000-row sheet took to plan. Here the choices are
        a set made once per import. Only values found in it are cleaned here
        (to_python, then the field's validators, as Field.clean()); anything
        else is left to full_clean(), for its error message.
        """
        cleaned = set()
        for f in self.choice_fields(type(obj)):
            if f.name in exclude:
                continue
            value = f.to_python(getattr(obj, f.attname))
            if not isinstance(value, str) or value in f.empty_values or value not in self.choice_values(f):
                continue
            try:
                f.run_validators(value)
            except ValidationError:
                continue
            setattr(obj, f.attname, value)
            cleaned.add(f.name)
        return cleaned

    def choice_fields(self, model):
        """Fields whose clean() is to_python(), the choices check and the validators, and that no uniqueness names."""
        if model not in self._choice_fields:

            def is_plain(f):
                kind = type(f)
                if kind.clean is not models.Field.clean or kind.run_validators is not models.Field.run_validators:
                    return False
                if isinstance(f, CountryField):  # its own methods hand a single country to CharField's
                    return (
                        not f.multiple
                        and kind.validate is CountryField.validate
                        and kind.to_python is CountryField.to_python
                    )
                return kind.validate is models.Field.validate and kind.to_python is models.CharField.to_python

            opts = model._meta
            unique = {name for names in opts.unique_together for name in names}
            unique |= {
                getattr(f, a)
                for f in opts.concrete_fields
                for a in ("unique_for_date", "unique_for_month", "unique_for_year")
            }
            self._choice_fields[model] = [
                f
                for f in opts.concrete_fields
                if f.choices is not None
                and f.editable
                and not f.unique
                and not f.generated
                and f.name not in unique
                and isinstance(f, models.CharField)
                and is_plain(f)
            ]
        return self._choice_fields[model]

    def choice_values(self, f):
        if f not in self._choice_values:
            self._choice_values[f] = frozenset(value for value, _ in f.flatchoices)
        return self._choice_values[f]

    def may_change(self, obj):
        return obj.is_editable_by(self.user)

    def refuse_locked(self, row_plan, obj, column):
        row_plan.error(
            column,
            f"this {obj._meta.verbose_name} is {obj.get_status_display().lower()}: only an Editor can change it.",
        )

    def save(self, obj):
        # The middleware knows the user in a request; set it here as well, so
        # history names the importer in a shell or a test too.
        obj._history_user = self.user
        obj._change_reason = self.reason
        obj.save()

    # Exports: exactly the importer's columns.

    def export_rows(self, queryset):
        raise NotImplementedError

    def export_response(self, queryset):
        stamp = datetime.date.today().isoformat()
        filename = f"{slugify(self.model._meta.verbose_name_plural)}-{stamp}.csv"
        return csv_response(filename, self.header(), self.export_rows(queryset))


class RecordImporter(Importer):
    """One record per row, matched by its `uid` or `external_id` column."""

    columns = []  # every column but uid

    def label_of(self, obj):
        """How the preview names the record a row is about."""
        for attribute in ("title", "name"):
            if getattr(obj, attribute, ""):
                return getattr(obj, attribute)
        try:
            return str(obj)
        except (AttributeError, ValueError, ObjectDoesNotExist):  # an unsaved record may lack what its name needs
            return ""

    def header(self):
        return ["uid", *(column.name for column in self.columns)]

    def queryset(self):
        return self.model.objects.all()

    def prepare(self, sheet, lock):
        self.existing = Existing(self.queryset(), sheet, "uid", "external_id", lock=lock)
        self.lookups = self.lookups_for(sheet)

    def lookups_for(self, sheet):
        return {}

    def plan_related(self, row_plan, obj, row, is_new):
        """Related rows the record lacks (citations…): added to row_plan.children, noted as changes."""

    def check(self, row_plan, obj, is_new, changes):
        """Rules beyond the model's, that depend on the user."""

    def plan_row(self, number, row):
        row_plan = RowPlan(number)
        obj, is_new = self.match(row_plan, row, self.existing, self.model, "uid", "external_id")
        if obj is None:
            return row_plan
        row_plan.created = is_new
        row_plan.changes = self.fill(row_plan, obj, self.columns, row, is_new)
        row_plan.label = self.label_of(obj)
        changed = bool(row_plan.changes)
        self.plan_related(row_plan, obj, row, is_new)
        if not is_new and row_plan.changes and not self.may_change(obj):
            self.refuse_locked(row_plan, obj, "uid")
        self.check(row_plan, obj, is_new, row_plan.changes)
        if is_new or changed:
            self.validate(row_plan, obj, self.columns, self.lookup_fields(), self.existing)
            row_plan.writes.append(obj)
        return row_plan

    def lookup_fields(self):
        return [column.field for column in self.columns if isinstance(column, LookupColumn)]

    def export_rows(self, queryset):
        for obj in queryset.order_by("pk"):
            yield [obj.uid, *(column.export(obj) for column in self.columns)]


class ListColumn:
    """Related rows named in one cell, separated by pipes; import adds, never deletes."""

    def __init__(self, name, items):
        self.name = name
        self.items = items  # obj → the names of its related rows

    def export(self, obj):
        return f" {LIST_SEPARATOR} ".join(self.items(obj))


# --- People and their detentions -------------------------------------------------


@dataclass
class PersonEntry:
    """A person as the sheet's first row naming them left them."""

    person: Person
    number: int
    values: dict  # column → parsed value, to check later rows against
    variants: set  # names the person has or will have


class PeopleImporter(Importer):
    """One row per detention; a person with no detention has one row with empty detention columns."""

    model = Person
    writes = (Person, Detention, NameVariant, Charge, DetentionSource)

    person_columns = [
        Column("person_external_id", "external_id"),
        Column("name"),
        IntegerColumn("birth_year"),
        ChoiceColumn("gender", Person.Gender),
        Column("region"),
        Column("occupation"),
        Column("description"),
        ChoiceColumn("identity_level", IdentityLevel),
        Column("internal_notes"),
    ]
    identity_columns = {"identity_level", "internal_notes"}
    detention_columns = [
        Column("detention_external_id", "external_id"),
        CountryColumn("country"),
        PreciseDateColumn("detained_on", "detained_on", "detained_on_precision"),
        ChoiceColumn("custody_status", Detention.CustodyStatus),
        PreciseDateColumn("released_on", "released_on", "released_on_precision"),
        ChoiceColumn("release_mode", Detention.ReleaseMode),
        Column("facility"),
        Column("sentence"),
        IntegerColumn("sentence_months"),
        DateColumn("recognised_on"),
        LookupColumn("recognised_by", "organizations", organization_key),
    ]
    name_variants = ListColumn("name_variants", lambda person: [v.name for v in person.name_variants.all()])
    charges = ListColumn("charges", lambda detention: [c.article for c in detention.charges.all()])
    sources = ListColumn("sources", lambda detention: [source_key(s) for s in detention.sources.all()])

    HEADER = [
        "person_uid",
        "person_external_id",
        "name",
        "name_variants",
        "birth_year",
        "gender",
        "region",
        "occupation",
        "description",
        "identity_level",
        "internal_notes",
        "detention_uid",
        "detention_external_id",
        "country",
        "detained_on",
        "custody_status",
        "released_on",
        "release_mode",
        "facility",
        "sentence",
        "sentence_months",
        "charges",
        "recognised_on",
        "recognised_by",
        "sources",
    ]

    # Person.save() computes the search key: prepare_writes() does it here.
    bulk_saves = Importer.bulk_saves | {Person.save}

    def __init__(self, user, filename=""):
        super().__init__(user, filename)
        self.manages_identity = user.has_perm("tracker.manage_identity")
        if not self.manages_identity:
            self.person_columns = [c for c in self.person_columns if c.name not in self.identity_columns]

    def header(self):
        if self.manages_identity:
            return list(self.HEADER)
        return [name for name in self.HEADER if name not in self.identity_columns]

    def ignored_columns(self):
        if self.manages_identity:
            return set(), ""
        return set(self.identity_columns), "Only Editors set identity levels and internal notes."

    def prepare(self, sheet, lock):
        people = Person.objects.prefetch_related("name_variants")
        detentions = Detention.objects.select_related("recognised_by").prefetch_related("charges", "sources")
        self.people = Existing(people, sheet, "person_uid", "person_external_id", lock=lock)
        self.detentions = Existing(detentions, sheet, "detention_uid", "detention_external_id", lock=lock)
        self.lookups = {
            "organizations": organizations_named(sheet, "recognised_by"),
            "sources": sources_named(sheet, "sources"),
        }
        self.entries = {}  # (key column, value) and ("pk", pk) → PersonEntry
        self.detention_cells = {
            *(column.name for column in self.detention_columns),
            "detention_uid",
            "charges",
            "sources",
        }

    def prepare_writes(self, plan):
        """The search keys of the people written, from the names they have and the variants the sheet adds.

        Person.save() would read each person's variants back: a query per
        person. NameVariantQuerySet.bulk_create() then checks every key of the
        people it adds variants to, in a few queries per 500 people.
        """
        added = {}
        for row in plan.rows:
            for child in row.children:
                if isinstance(child, NameVariant):
                    added.setdefault(id(child.person), []).append(child.name)
        for row in plan.rows:
            for person in row.writes:
                if isinstance(person, Person):
                    # Prefetched when the plan matched the person: no query.
                    existing = [] if person._state.adding else [v.name for v in person.name_variants.all()]
                    person.search_key = person_search_key(person.name, [*existing, *added.get(id(person), ())])
                    person.shown_name, person.sort_name = listed_names(person.name, person.identity_level)

    def plan_row(self, number, row):
        row_plan = RowPlan(number)
        person = self.plan_person(row_plan, row)
        if person is not None:
            row_plan.label = person.name
        if person is not None and any(row.get(name, "") != "" for name in self.detention_cells):
            self.plan_detention(row_plan, row, person)
        return row_plan

    def plan_person(self, row_plan, row):
        try:
            uid = parse_uid(row.get("person_uid", ""))
        except CellError as error:
            row_plan.error("person_uid", error)
            return None
        external_id = str(row.get("person_external_id", ""))
        keys = [key for key in (("person_uid", uid), ("person_external_id", external_id)) if key[1]]
        # Several rows may describe one person (one row per detention).
        earlier = {id(self.entries[key]): self.entries[key] for key in keys if key in self.entries}
        if len(earlier) > 1:
            row_plan.error("person_uid", "person_uid and person_external_id name two different people of earlier rows.")
            return None
        if earlier:
            entry = next(iter(earlier.values()))
            self.plan_same_person(row_plan, row, entry)
            return entry.person

        person, is_new = self.match_person(row_plan, row, uid)
        if person is None:
            return None
        if not is_new and ("pk", person.pk) in self.entries:
            # Named by uid here and by external ID in an earlier row, or the reverse.
            entry = self.entries["pk", person.pk]
            self.plan_same_person(row_plan, row, entry)
            return person
        changes = self.fill(row_plan, person, self.person_columns, row, is_new)
        values = {}
        for column in self.person_columns:
            if column.name in row and column.name not in row_plan.bad_columns:
                values[column.name] = column.parse(row[column.name], self)
        names = {person.name} | ({v.name for v in person.name_variants.all()} if not is_new else set())
        entry = PersonEntry(person, row_plan.number, values, names)
        for key in keys:
            self.entries[key] = entry
        if not is_new:
            self.entries["pk", person.pk] = entry
        if is_new and not person.name and "name" not in row_plan.bad_columns:
            row_plan.error("name", "required for a new person.")
        variants = self.plan_variants(row_plan, row, entry)
        if not is_new and (changes or variants) and not self.may_change(person):
            self.refuse_locked(row_plan, person, "person_uid")
        row_plan.created = is_new
        row_plan.changes += changes
        if is_new or changes:
            self.validate(row_plan, person, self.person_columns, existing=self.people)
            row_plan.writes.append(person)
        return person

    def match_person(self, row_plan, row, uid):
        if uid:
            person = self.people.by_uid.get(uid)
            if person is None:
                row_plan.error("person_uid", f"no person has the stable ID {uid}.")
            return person, False
        external_id = str(row.get("person_external_id", ""))
        person = self.people.by_external_id.get(external_id) if external_id else None
        return (person, False) if person is not None else (Person(), True)

    def plan_same_person(self, row_plan, row, entry):
        """A later row of a person: its person cells are empty or say what the first row said."""
        for column in self.person_columns:
            if row.get(column.name, "") == "":
                continue
            try:
                value = column.parse(row[column.name], self)
            except CellError as error:
                row_plan.error(column.name, error)
                continue
            if value != entry.values.get(column.name):
                row_plan.error(column.name, f"differs from row {entry.number}, which describes the same person.")
        variants = self.plan_variants(row_plan, row, entry)
        if variants and not entry.person._state.adding and not self.may_change(entry.person):
            self.refuse_locked(row_plan, entry.person, "name_variants")

    def plan_variants(self, row_plan, row, entry):
        """Name variants the person lacks: added, never deleted. Returns how many."""
        added = 0
        for name in parse_list(row.get("name_variants", "")):
            if name in entry.variants:
                continue
            entry.variants.add(name)
            variant = NameVariant(person=entry.person, name=name)
            # As NameVariant.save() does, which the bulk write does not call:
            # the letters tell the script; mixed ones leave the default.
            variant.script = NameVariant.detect_script(name) or variant.script
            # The transliteration system is the editor's call; a Cyrillic
            # spelling is at least the original script.
            is_cyrillic = variant.script == NameVariant.Script.CYRILLIC
            variant.system = NameVariant.System.NATIVE if is_cyrillic else NameVariant.System.OTHER
            self.validate(row_plan, variant, [Column("name_variants", "name")], exclude=["person"])
            row_plan.changes.append(Change("name_variants", None, f"+ {name}"))
            row_plan.children.append(variant)
            added += 1
        return added

    def plan_detention(self, row_plan, row, person):
        detention, is_new = self.match(
            row_plan, row, self.detentions, Detention, "detention_uid", "detention_external_id"
        )
        if detention is None:
            return
        if is_new:
            detention.person = person
        elif detention.person_id != person.pk:
            row_plan.error("detention_uid", "this detention belongs to another person.")
            return
        changes = self.fill(row_plan, detention, self.detention_columns, row, is_new)
        existing_articles = set() if is_new else {charge.article for charge in detention.charges.all()}
        for article in parse_list(row.get("charges", "")):
            if article not in existing_articles:
                existing_articles.add(article)
                charge = Charge(detention=detention, article=article)
                self.validate(row_plan, charge, [Column("charges", "article")], exclude=["detention"])
                changes.append(Change("charges", None, f"+ {article}"))
                row_plan.children.append(charge)
        cited = set() if is_new else {source.pk for source in detention.sources.all()}
        plan_source_links(
            self, row_plan, row, cited, changes, lambda source: DetentionSource(detention=detention, source=source)
        )
        if not is_new and changes and not self.may_change(detention):
            self.refuse_locked(row_plan, detention, "detention_uid")
        row_plan.created = row_plan.created or is_new
        row_plan.changes += changes
        if is_new or any(change.column in {c.name for c in self.detention_columns} for change in changes):
            self.validate(row_plan, detention, self.detention_columns, ["person", "recognised_by"], self.detentions)
            row_plan.writes.append(detention)

    def export_rows(self, queryset):
        people = queryset.order_by("name", "pk").prefetch_related(
            "name_variants",
            Prefetch(
                "detentions",
                queryset=Detention.objects.order_by("detained_on", "pk")
                .select_related("recognised_by")
                .prefetch_related("charges", "sources"),
            ),
        )
        header = self.header()
        for person in people:
            person_cells = {"person_uid": person.uid, "name_variants": self.name_variants.export(person)}
            person_cells.update((column.name, column.export(person)) for column in self.person_columns)
            for detention in person.detentions.all() or [None]:
                cells = dict(person_cells)
                if detention is not None:
                    cells["detention_uid"] = detention.uid
                    cells.update((column.name, column.export(detention)) for column in self.detention_columns)
                    cells["charges"] = self.charges.export(detention)
                    cells["sources"] = self.sources.export(detention)
                yield [cells.get(name, "") for name in header]


# --- Keeping an upload between preview and confirm ----------------------------

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Uploads whose preview was never confirmed are removed after a day.
STALE_AFTER = datetime.timedelta(days=1)


def _uploads():
    directory = Path(settings.IMPORT_TMP_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _write_private(path, data):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def store_upload(user, model, filename, data):
    """Keep the bytes of a previewed file for its confirmation; return the token that names them."""
    directory = _uploads()
    cutoff = time.time() - STALE_AFTER.total_seconds()
    for old in directory.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:
            pass  # removed meanwhile by a concurrent request
    token = secrets.token_urlsafe(32)
    meta = {"user": user.pk, "model": model._meta.label, "filename": Path(filename).name}
    _write_private(directory / f"{token}.upload", data)
    _write_private(directory / f"{token}.json", json.dumps(meta).encode())
    return token


def load_upload(user, model, token):
    """(filename, bytes) of a stored upload, or None if it is gone; another user's is refused."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    directory = _uploads()
    try:
        meta = json.loads((directory / f"{token}.json").read_text())
        data = (directory / f"{token}.upload").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user") != user.pk:
        raise PermissionDenied("This import was uploaded by another user.")
    if meta.get("model") != model._meta.label:
        return None
    return meta["filename"], data


def discard_upload(token):
    if _TOKEN.fullmatch(token or ""):
        directory = _uploads()
        for suffix in (".upload", ".json"):
            (directory / f"{token}{suffix}").unlink(missing_ok=True)


# --- The admin ----------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label="Spreadsheet", help_text="A .csv (UTF-8) or .xlsx file of at most 10 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise ValidationError("Choose a .csv or .xlsx file.")
        if upload.size > MAX_BYTES:
            raise ValidationError("The file is larger than 10 MB: split it into several files.")
        return upload


class _PlanHasErrors(Exception):
    def __init__(self, plan):
        self.plan = plan


class ImportAdminMixin:
    """Adds Import (upload → preview → confirm) to a changelist, and exports the same columns."""

    importer = None
    change_list_template = "admin/tracker/import_change_list.html"

    def has_import_permission(self, request):
        # Change as well as add: an import updates the records it matches.
        return (
            self.has_add_permission(request)
            and self.has_change_permission(request)
            and self.importer.may_import(request.user)
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.import_confirm_view),
                name="{}_{}_import_confirm".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_context(self, request, title, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "columns": self.importer(request.user).header(),
            **context,
        }

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                sheet = read_sheet(upload.name, data)
            except SheetError as error:
                form.add_error("file", str(error))
            else:
                plan = self.importer(request.user, upload.name).plan(sheet)
                token = store_upload(request.user, self.model, upload.name, data) if plan.is_valid else ""
                return self.render_preview(request, plan, token)
        title = f"Import {self.opts.verbose_name_plural}"
        return TemplateResponse(
            request, "admin/tracker/import_upload.html", self.import_context(request, title, form=form)
        )

    def render_preview(self, request, plan, token):
        title = f"Import {self.opts.verbose_name_plural}: preview of {plan.filename}"
        context = self.import_context(request, title, plan=plan, counts=plan.counts, token=token)
        return TemplateResponse(request, "admin/tracker/import_preview.html", context)

    def import_confirm_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        token = request.POST.get("token", "")
        stored = load_upload(request.user, self.model, token)
        if stored is None:
            self.message_user(
                request, "This import has expired or was already done: upload the file again.", messages.ERROR
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        filename, data = stored
        importer = self.importer(request.user, filename)
        upload_page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        try:
            # Planned again inside the transaction that writes it: the database
            # may have changed since the preview.
            with transaction.atomic():
                plan = importer.plan(read_sheet(filename, data), lock=True)
                if not plan.is_valid:
                    raise _PlanHasErrors(plan)
                importer.apply(plan)
        except _PlanHasErrors as refused:
            self.message_user(request, "The database changed since the preview: nothing was imported.", messages.ERROR)
            return self.render_preview(request, refused.plan, "")
        except SheetError as error:
            # The limits changed since the preview (a deployment in between).
            self.message_user(request, f"Nothing was imported. {error}", messages.ERROR)
            return HttpResponseRedirect(upload_page)
        except IntegrityError as error:
            # A record created by someone else between this plan and its write
            # (an external ID taken meanwhile): the database refused, all rolled back.
            self.message_user(
                request, f"Nothing was imported: the database refused a row ({error}). Try again.", messages.ERROR
            )
            return HttpResponseRedirect(upload_page)
        except Exception as error:
            # A sheet the preview let through and the write could not take is
            # a bug to fix, logged with its traceback; the editor is told that
            # nothing was written. A database that is down stays the 503 page.
            if unreachable(error):
                raise
            logger.exception("Import of %s by %s failed at its confirmation", filename, request.user)
            self.message_user(
                request,
                "Nothing was imported: the import failed on an error of the tracker, which is logged for its "
                "administrators. Upload the file again; if it fails again, send it to them.",
                messages.ERROR,
            )
            return HttpResponseRedirect(upload_page)
        finally:
            # An upload is confirmed at most once: whatever happened, its file goes.
            discard_upload(token)
        counts = plan.counts
        self.message_user(
            request,
            f"Imported: {counts['create']} created, {counts['update']} updated, {counts['unchanged']} unchanged.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    @admin.action(description="Export selected rows as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        # The import's columns, so the file can be edited and imported back.
        return self.importer(request.user).export_response(queryset)
