"""The registry: sources, organisations, people and their detentions.

One module a concern, loaded in this order (Django registers the models, and
`manage.py backup` writes them, in the order their classes are defined: what
others refer to first):

- conditions.py   one_of, and the conditions "listed", "named" and "public detention"
- sources.py      Organization, Source
- people.py       Person, NameVariant, their search keys
- detentions.py   Detention, DetentionSource, Charge

Every name is re-exported here: `from tracker.models import Person` is the way in.
The publishing base (Status, Record, Publishable, DataVersion) stays in tracker/publishing.py.
"""

# In this order, not isort's: the order the models are registered in (see above).
# isort: off
from tracker.models.conditions import listed_person, named_person, one_of, published_detention
from tracker.models.sources import Organization, OrganizationKind, Source, SourceKind, SourceQuerySet, listed_source
from tracker.models.people import (
    MAX_SEARCH_WORDS,
    SEARCH_KEY_BATCH,
    NameVariant,
    NameVariantQuerySet,
    Person,
    PersonQuerySet,
    name_variant_changed,
    person_loaded,
    person_loading,
    person_search_key,
    refresh_search_keys,
)
from tracker.models.detentions import (
    Charge,
    ChargeQuerySet,
    CustodyStatus,
    Detention,
    DetentionQuerySet,
    DetentionSource,
    DetentionSourceQuerySet,
    FREED,
    ReleaseMode,
    held_on,
)

# isort: on
from tracker.names import IdentityLevel  # imported from here by tracker/imports/people.py, demo/ and tests

__all__ = [
    "FREED",
    "MAX_SEARCH_WORDS",
    "SEARCH_KEY_BATCH",
    "Charge",
    "ChargeQuerySet",
    "CustodyStatus",
    "Detention",
    "DetentionQuerySet",
    "DetentionSource",
    "DetentionSourceQuerySet",
    "IdentityLevel",
    "NameVariant",
    "NameVariantQuerySet",
    "Organization",
    "OrganizationKind",
    "Person",
    "PersonQuerySet",
    "ReleaseMode",
    "Source",
    "SourceKind",
    "SourceQuerySet",
    "held_on",
    "listed_person",
    "listed_source",
    "name_variant_changed",
    "named_person",
    "one_of",
    "person_loaded",
    "person_loading",
    "person_search_key",
    "published_detention",
    "refresh_search_keys",
]
