"""The import engine: each row matched to a record, filled, validated and planned; then all written at once.

Importer plans and writes; RecordImporter is one record per row (figures,
events: events/imports.py); PeopleImporter (tracker/imports/people.py) one
detention per row. How records are written in bulk is tracker/imports/bulk.py.
"""

import datetime
from dataclasses import replace
from functools import cached_property

from django.contrib.auth import get_permission_codename
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django_countries import countries

from tracker.constraints import constraint_errors
from tracker.exports import csv_response
from tracker.imports.bulk import BulkWrites, postponing_full_collections
from tracker.imports.columns import CellError, Existing, LookupColumn, parse_uid
from tracker.imports.plans import Change, Plan, RowPlan
from tracker.text import problem_characters

# Rows the preview lists with a character no feed or spreadsheet can carry; past them, it says so once.
MAX_CHARACTER_ERRORS = 100


class Importer(BulkWrites):
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
            # Each write moves the public data version only if the public sees it
            # (tracker/public_changes.py): RecordQuerySet.bulk_create(), Record.save()
            # and BulkWrites.update_records() ask, so a sheet of drafts moves nothing.
            for model, objs in children.items():
                model.objects.bulk_create(objs, batch_size=500)

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
