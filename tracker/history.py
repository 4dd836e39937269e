"""Every write to every model is kept, with who and when (django-simple-history).

Signals catch save() and delete() wherever they happen: the admin, actions,
imports, the shell. The two ORM paths that skip signals, QuerySet.update()
and bulk_create(), are covered in RecordQuerySet.
"""

from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

# Bookkeeping that changes on every save would bury the real changes in the
# history view; restoring a version keeps the current values of these.
NOT_HISTORY = ["created_at", "updated_at", "version"]


def history(*, exclude=(), **kwargs):
    return HistoricalRecords(excluded_fields=NOT_HISTORY + list(exclude), **kwargs)


def withhold_from_history(records, model, fields):
    """Take out of a history page what its reader may not see of these fields.

    Their changes go, and so does the reason given with any version that may
    have changed them ("family asked to withhold the name" says what the
    change was): a version that changed one of them, the first version (which
    set them), and a version whose changes are not known on this page (the
    oldest of a page, compared with nothing). Works on the records
    set_history_delta_changes() has just compared; nothing is written.
    """
    labels = {capfirst(model._meta.get_field(name).verbose_name) for name in fields}
    for record in records:
        delta = getattr(record, "history_delta_changes", None)
        kept = [change for change in delta or () if change["field"] not in labels]
        if record.history_type == "+" or (record.history_type == "~" and (delta is None or len(kept) < len(delta))):
            record.history_change_reason = ""
        if delta:
            record.history_delta_changes = kept
