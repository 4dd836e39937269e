"""A model's constraints checked in Python where they only compare the row's own fields: one home for the rule.

Django validates each constraint of a model with a query, and inside the
admin's transaction with a savepoint around it: three round trips each. An
event's save checked four of them, and every inline row its own, before
anything was written (about 15 of the 80 ms of an editor's save on
PostgreSQL at 200,000 people); an import checked a dozen per row of a
5,000-row sheet. Most of our conditions are plain comparisons of a row's
fields with constants or with each other (`ended_on >= occurred_on`,
`mode IN (...)`, `upper_value IS NULL`): `decide` answers those with SQL's
rules for NULL. Anything else (a function, a join, an ordering of text,
whose order is the collation's, values Python cannot compare as the
database would) goes to the database as before. The database's constraint
stays the final word on every write: this only decides earlier.

`constraint_errors` is Model.validate_constraints() with that shortcut:
Record.validate_constraints (every form and full_clean()) and the importer
(tracker/imports) both call it. tests/test_constraints_in_python.py holds
`decide` to the database's answer for every check constraint of ours, and
tests/test_fast_path_contracts.py holds `constraint_errors` to Django's own
validate_constraints().
"""

import datetime
import decimal

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q, UniqueConstraint


class Undecided(Exception):
    """The condition is more than plain comparisons of the row's own fields: the database decides."""


# Values ordered the same way in Python and in SQL; text is not (its order is the collation's).
_ORDERED = (int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)
_ORDERINGS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _field(model, name):
    if "__" in name:
        raise Undecided(name)
    try:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise Undecided(name) from error
    if not field.concrete or field.generated or field.many_to_many or field.one_to_many:
        raise Undecided(name)
    return field


def _row_value(instance, model, name, refs):
    field = _field(model, name)
    refs.update({field.name, name})  # "pk" too, which an `exclude` may name
    value = getattr(instance, field.attname)
    if value is None:
        return None
    if field.is_relation:
        field = field.target_field
    try:
        return field.to_python(value)
    except ValidationError as error:
        raise Undecided(name) from error


def _operand(value, instance, model, refs):
    if isinstance(value, F):
        return _row_value(instance, model, value.name, refs)
    if hasattr(value, "resolve_expression"):
        raise Undecided(repr(value))
    return value


def _compare(lookup, left, right):
    """SQL's answer: True, False, or None for unknown (a NULL on either side)."""
    if lookup == "isnull":
        if not isinstance(right, bool):
            raise Undecided("isnull")
        return (left is None) == right
    if lookup == "in":
        if isinstance(right, (str, bytes)) or not hasattr(right, "__iter__"):
            raise Undecided("in")
        # As Django's lookup writes it: a None in the list is left out, and an empty list is no query at all.
        values = [value for value in right if value is not None]
        if not values or any(hasattr(value, "resolve_expression") for value in values):
            raise Undecided("in")
        if left is None:
            return None
        return left in values
    if left is None or right is None:
        return None
    if lookup == "exact":
        if type(left) is not type(right) and not (isinstance(left, str) and isinstance(right, str)):
            if not (isinstance(left, _ORDERED) and isinstance(right, _ORDERED)):
                raise Undecided("exact")
        return left == right
    if lookup in _ORDERINGS:
        if not (isinstance(left, _ORDERED) and isinstance(right, _ORDERED)) or isinstance(left, bool):
            raise Undecided(lookup)
        try:
            return _ORDERINGS[lookup](left, right)
        except TypeError as error:  # a date against a number: the database says what it makes of it
            raise Undecided(lookup) from error
    raise Undecided(lookup)


def decide(condition, instance, model, refs):
    """The condition's value for this row, in SQL's three values (None: unknown); the fields read go into `refs`."""
    if not isinstance(condition, Q):
        raise Undecided(repr(condition))
    answers = []
    for child in condition.children:
        if isinstance(child, Q):
            answers.append(decide(child, instance, model, refs))
            continue
        if not isinstance(child, tuple):
            raise Undecided(repr(child))
        key, value = child
        name, _, lookup = key.partition("__")
        lookup = lookup or "exact"
        left = _row_value(instance, model, name, refs)
        if lookup == "in" and isinstance(value, (list, tuple, set, frozenset)):
            right = [_operand(item, instance, model, refs) for item in value]
        else:
            right = _operand(value, instance, model, refs)
        if lookup == "exact" and value is None:  # field=None is IS NULL; a field equal to a NULL field is unknown
            lookup, right = "isnull", True
        answers.append(_compare(lookup, left, right))
    if condition.connector == Q.AND:
        answer = False if False in answers else (None if None in answers else True)
    elif condition.connector == Q.OR:
        answer = True if True in answers else (None if None in answers else False)
    else:
        raise Undecided(condition.connector)
    if condition.negated:
        answer = None if answer is None else not answer
    return answer


def _decided(constraint, model, obj, exclude):
    """The condition's answer for this row (True, False, None), or "ask" when the database must decide it."""
    condition = getattr(constraint, "condition", None)
    if condition is None or type(constraint).validate not in (CheckConstraint.validate, UniqueConstraint.validate):
        return "ask"
    refs = set()
    try:
        answer = decide(condition, obj, model, refs)
    except Undecided:
        return "ask"
    # A condition on a field left out of validation: the database's validate() says what Django does with it.
    return "ask" if refs & exclude else answer


def constraint_errors(obj, exclude, errors):
    """What Model.validate_constraints(exclude) finds, added to `errors` ({field: [errors]}) and returned.

    A check decided here fails only on false, as the database's does (unknown
    passes); a unique constraint whose condition is false for this row cannot
    be broken. The rest still go to the database.
    """
    using = router.db_for_write(type(obj), instance=obj)
    for model, constraints in obj.get_constraints():
        for constraint in constraints:
            answer = _decided(constraint, model, obj, exclude)
            if isinstance(constraint, CheckConstraint) and answer != "ask":
                if answer is False:
                    errors.setdefault(NON_FIELD_ERRORS, []).append(
                        ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
                    )
                continue
            if isinstance(constraint, UniqueConstraint) and answer is False:
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
