"""Every write to every model is kept, with who and when (django-simple-history).

Signals catch save() and delete() wherever they happen: the admin, actions,
imports, the shell. The two ORM paths that skip signals, QuerySet.update()
and bulk_create(), are covered in RecordQuerySet.
"""

from simple_history.models import HistoricalRecords

# Bookkeeping that changes on every save would bury the real changes in the
# history view; restoring a version keeps the current values of these.
NOT_HISTORY = ["created_at", "updated_at", "version"]


def history(*, exclude=(), **kwargs):
    return HistoricalRecords(excluded_fields=NOT_HISTORY + list(exclude), **kwargs)
