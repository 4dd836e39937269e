"""Every field of Person and Detention is either on the public paths or named here as not public, with why.

The registry has two fast copies of DOMAIN rule 2 beside shown_person() and
shown_detention(): the light rows (PersonRow/DetentionRow, whose FIELDS are
what those functions read) and the SQL of prisoners_select (PostgreSQL's COPY
of the prisoners CSV). A new field must be taught to both, or declared not
public below. This test makes whoever adds a field choose, instead of finding
out from a leak or from a column that one copy shows and the other does not.
"""

import re

import pytest

from events.disclosure import DetentionRow, PersonRow, prisoners_select
from tracker.models import Detention, Person

# Fields no public output shows, each with the reason. A field here that a
# public path reads fails the test as surely as a field in neither place.
NOT_PUBLIC = {
    Person: {
        "created_at": "bookkeeping of the admin; public pages date records by their events, not their edits",
        "updated_at": "bookkeeping; would tell outsiders when editors work on a person",
        "version": "the optimistic lock of the admin's edit form",
        "gender": "recorded for editors; no page, column or filter shows it, and with a region and a year it can single one out",
        "internal_notes": "editors' notes, never public (DOMAIN rule 1)",
        "external_id": "the key of the editors' import sheets",
        "search_key": "the name search's index; the public search reads it only among listed people",
    },
    Detention: {
        "uid": "detentions have no public page or column of their own; a row names its person's uid",
        "created_at": "bookkeeping of the admin",
        "updated_at": "bookkeeping; would tell outsiders when editors work on a detention",
        "version": "the optimistic lock of the admin's edit form",
        "status": "decides whether a detention is public (published()); a filter, never a value shown",
        "sentence_months": "the sentence as a number, for editors' sorting; the public sentence is the text",
        "internal_notes": "editors' notes, never public (DOMAIN rule 1)",
        "external_id": "the key of the editors' import sheets",
    },
}

# Fields only one of the two fast paths reads, each with the reason.
ONE_PATH_ONLY = {
    Person: {
        "name": "the rows: shown_person() makes the public name from it; the SQL reads shown_name, saved from it",
        "status": "the rows: related people are shown only when published",
        "description": "the rows: the person page and the API show it; the prisoners CSV has no such column",
        "shown_name": "the SQL: public_name() of name and identity level, kept by save()",
        "sort_name": "the SQL: the registry's order, kept by save()",
    },
    Detention: {},
}

ROWS = {Person: PersonRow, Detention: DetentionRow}
SQL_ALIASES = {Person: "p", Detention: "d"}


def fields_of(model):
    return {field.name for field in model._meta.concrete_fields}


def row_fields(model):
    """The model fields the light rows read: "pk" is the primary key, "recognised_by__name" the foreign key."""
    names = (model._meta.pk.name if name == "pk" else name.split("__")[0] for name in ROWS[model].FIELDS)
    # get_field() finds a foreign key by its attname too ("person_id").
    return {model._meta.get_field(name).name for name in names}


def sql_fields(model):
    """The model fields the SQL of the prisoners CSV reads, by its table's alias (p.name, d.facility)."""
    sql, _ = prisoners_select(Detention.objects.all(), "https://tracker.example")
    columns = set(re.findall(rf"(?<![\w.]){SQL_ALIASES[model]}\.(\w+)", sql))
    by_column = {field.column: field.name for field in model._meta.concrete_fields}
    unknown = columns - set(by_column)
    assert not unknown, f"the SQL reads {sorted(unknown)}, which {model.__name__} does not have"
    return {by_column[column] for column in columns}


@pytest.mark.parametrize("model", [Person, Detention], ids=lambda model: model.__name__)
def test_every_field_is_public_on_both_paths_or_declared_not_public(model):
    public = row_fields(model) | sql_fields(model)
    declared = set(NOT_PUBLIC[model])
    undecided = fields_of(model) - public - declared
    assert not undecided, (
        f"{model.__name__} has fields no public path reads and NOT_PUBLIC does not name: {sorted(undecided)}. "
        "If the public may see them, teach them to shown_person()/shown_detention(), the light rows and "
        "prisoners_select in events/disclosure.py; if not, add them to NOT_PUBLIC here with the reason."
    )
    contradicted = public & declared
    assert not contradicted, (
        f"NOT_PUBLIC names {sorted(contradicted)} of {model.__name__}, but a public path reads them"
    )
    assert declared <= fields_of(model), f"NOT_PUBLIC names fields {model.__name__} no longer has"


@pytest.mark.parametrize("model", [Person, Detention], ids=lambda model: model.__name__)
def test_the_light_rows_and_the_sql_read_the_same_fields(model):
    differ = row_fields(model) ^ sql_fields(model)
    assert differ == set(ONE_PATH_ONLY[model]), (
        f"Fields of {model.__name__} that only one of the light rows and the SQL of the prisoners CSV reads: "
        f"{sorted(differ)}; declared: {sorted(ONE_PATH_ONLY[model])}"
    )
