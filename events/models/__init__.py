"""Events, the links between them, releases, and the figures sources report.

One module a concern, loaded in this order (Django registers the models, and
`manage.py backup` writes them, in the order their classes are defined: what
others refer to first):

- events.py     Event, Participant, Citation, EventLink
- releases.py   Release, ReleasedDetention (and how a release ends a detention)
- figures.py    Measure, Figure, and the queries that rank figures (DOMAIN rule 4)

Every name is re-exported here: `from events.models import Event` is the way in.
"""

# In this order, not isort's: the order the models are registered in (see above).
# isort: off
from events.models.events import (
    INVERSE_LINK_LABELS,
    Citation,
    CitationQuerySet,
    Event,
    EventKind,
    EventLink,
    EventLinkQuerySet,
    EventPart,
    EventQuerySet,
    LinkKind,
    Participant,
    ParticipantQuerySet,
    date_source,
)
from events.models.releases import (
    Release,
    ReleasedDetention,
    ReleasedDetentionQuerySet,
    ReleaseMode,
    ReleaseQuerySet,
    main_mode,
)
from events.models.figures import (
    Figure,
    FigureQuerySet,
    Measure,
    MeasureKind,
    MeasureQuerySet,
    Qualifier,
    Rank,
    RegistryCount,
    claims_disagree,
    newer_report,
    rank_order,
)
# isort: on

__all__ = [
    "INVERSE_LINK_LABELS",
    "Citation",
    "CitationQuerySet",
    "Event",
    "EventKind",
    "EventLink",
    "EventLinkQuerySet",
    "EventPart",
    "EventQuerySet",
    "Figure",
    "FigureQuerySet",
    "LinkKind",
    "Measure",
    "MeasureKind",
    "MeasureQuerySet",
    "Participant",
    "ParticipantQuerySet",
    "Qualifier",
    "Rank",
    "RegistryCount",
    "Release",
    "ReleaseMode",
    "ReleaseQuerySet",
    "ReleasedDetention",
    "ReleasedDetentionQuerySet",
    "main_mode",
    "date_source",
    "claims_disagree",
    "newer_report",
    "rank_order",
]
