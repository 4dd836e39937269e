"""What `manage.py backup` writes and `manage.py restore` reads.

One gzip-compressed JSON document: a header naming the format, the counts per
model, and every row of the backed-up models in Django's serialization format.

Primary keys are kept as they are: history rows, the admin log and the
registry's own foreign keys refer to rows by id, and a restore must not
renumber them. Content types, permissions and groups are referred to by their
natural keys instead, because the target database creates its own during
`migrate`, with ids of its own.

Passwords: Django's password hashes are kept as they are, so administrators
can log in after a restore. A hash is not the password; the file is still as
sensitive as the database itself (it holds drafts, withheld names and
internal notes) and is written readable by its owner only.
"""

import datetime

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder

FORMAT = "prisoner-release-tracker backup"
VERSION = 1

# Whole apps whose every table is backed up, history tables included.
APPS = ("tracker", "events")


def backed_up_models():
    """The models, in an order where what others refer to comes first."""
    auth = [apps.get_model("auth", "Group"), apps.get_model("auth", "User")]
    # The data and table versions are cache counters, not data: a restored database keeps its own.
    data = [
        model
        for model in apps.get_models()
        if model._meta.app_label in APPS and not getattr(model, "cache_counter", False)
    ]
    return auth + data + [apps.get_model("admin", "LogEntry")]


def uses_natural_foreign_keys(model):
    # auth and admin rows point at groups, permissions and content types,
    # whose ids differ between databases; the registry's rows only point at
    # each other (and at users), by ids a restore keeps.
    return model._meta.app_label in {"auth", "admin"}


def uses_natural_primary_key(model):
    # The role groups exist before a restore (the migrations create them):
    # a backed-up group updates the one with its name.
    return model is Group


def label(model):
    return model._meta.label


class Encoder(DjangoJSONEncoder):
    """Django's JSON, but times keep their microseconds (Django's cuts them to
    milliseconds, and a restore would no longer match the history it restores)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)
