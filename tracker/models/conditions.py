"""The conditions the registry's models share: a choice constraint, who is listed or named, which detentions are public.

They sit below the models: sources.py is loaded before people.py and
detentions.py (the order Django registers the models in), so it cannot import
them, yet Source.objects.published() asks who is named. `listed_person` and
`named_person` are where the registry's querysets and indexes compare identity
levels (DOMAIN rule 2, tests/test_fences.py); people.py asks them for Person.
"""

from django.db import models
from django.db.models import Q

from tracker.names import LISTED_LEVELS, NAMED_LEVELS
from tracker.publishing import Status


def one_of(field: str, choices, name: str, what: str):
    """A named constraint that keeps a choice field to its choices."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=name,
        violation_error_message=f"Choose a valid {what}.",
    )


def listed_person(path=""):
    """The condition "this person is named in full or by initials", on a person or through `path` ("person__").

    Not whether they are published: PersonQuerySet.listed() asks both.
    """
    return Q(**{f"{path}identity_level__in": list(LISTED_LEVELS)})


def named_person(path=""):
    """The condition "this person is named in full", on a person or through `path` ("person__")."""
    return Q(**{f"{path}identity_level__in": list(NAMED_LEVELS)})


def published_detention(path=""):
    """The condition "this detention is public", on a detention or reached through `path` ("detention__").

    A detention is public only with its person: its dates and facility would
    otherwise describe someone the public may not see. Written as joins, not
    as "detention in (every published detention)": SQLite builds that whole
    list first, for a query about 25 rows.
    """
    return Q(**{f"{path}status": Status.PUBLISHED, f"{path}person__status": Status.PUBLISHED})
