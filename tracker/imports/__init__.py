"""Spreadsheet imports in the admin: upload, preview every row, confirm, all or nothing.

A sheet (CSV or XLSX) is read into rows by sheets.py (a workbook by xlsx.py),
streamed and refused at the first limit of limits.py it passes, and an
importer (importer.py, people.py, events/imports.py) plans each row against
the database: which record it matches (by stable ID, else by external ID),
what it would create or change (plans.py), and what is wrong with it. The
columns are columns.py's. Nothing is written until the editor has seen the
whole plan and confirmed (admin.py, with the upload kept by uploads.py);
then the sheet is planned again, against the database as it is by then, and
written in one transaction. One bad row writes nothing.

Everything is written in bulk, a few hundred rows per query, doing what
save() would (bulk.py, the fast paths, each beside the name of its slow
twin; a model whose save() does more is saved one by one): records first,
parents before children, then the child rows (name variants, charges, the
sources of a detention, citations) with their queryset's bulk_create().
History keeps each change, one row per record, with the importing user and
the reason "import <file>" (publishing.write_history()). The admin's export
of the same models writes exactly the importer's columns, escaped as every
export is, so export → edit → import changes only what was edited. The
columns are documented in docs/import.md.

This package offers what the admin (tracker/admin.py, events/admin.py) and
the figures and events importers (events/imports.py) use.
"""

from tracker.imports.admin import ImportAdminMixin, ImportForm
from tracker.imports.columns import (
    CellError,
    ChoiceColumn,
    Column,
    CountriesColumn,
    CountryColumn,
    DateColumn,
    IntegerColumn,
    ListColumn,
    Lookup,
    LookupColumn,
    PreciseDateColumn,
    cells,
    organization_key,
    organizations_named,
    plan_source_links,
    source_key,
    sources_named,
    uids,
)
from tracker.imports.importer import MAX_CHARACTER_ERRORS, Importer, RecordImporter
from tracker.imports.limits import SheetError
from tracker.imports.people import PeopleImporter
from tracker.imports.plans import Change, Plan, RowPlan
from tracker.imports.sheets import Sheet, read_sheet
from tracker.imports.uploads import discard_upload, load_upload, store_upload

__all__ = [
    "MAX_CHARACTER_ERRORS",
    "CellError",
    "Change",
    "ChoiceColumn",
    "Column",
    "CountriesColumn",
    "CountryColumn",
    "DateColumn",
    "ImportAdminMixin",
    "ImportForm",
    "Importer",
    "IntegerColumn",
    "ListColumn",
    "Lookup",
    "LookupColumn",
    "PeopleImporter",
    "Plan",
    "PreciseDateColumn",
    "RecordImporter",
    "RowPlan",
    "Sheet",
    "SheetError",
    "cells",
    "discard_upload",
    "load_upload",
    "organization_key",
    "organizations_named",
    "plan_source_links",
    "read_sheet",
    "source_key",
    "sources_named",
    "store_upload",
    "uids",
]
