"""Which writes the public can see: only those move the public data version.

Cached public pages are keyed by the data version (tracker/caching.py), and a
feed entry's "updated", with the feed's Last-Modified, is the event's
`public_updated_at`. If they moved with every write, an outsider timing a page
(a cache miss is many times slower than a hit) or reading a feed would learn
when editors work on drafts and internal notes. So a write moves them only
when it changes what the public sees:

- the row is public (in its model's `published()`) before the write or after
  it: a new row once written, a deleted one before;
- and the write changes a field the public may see: every concrete field
  but the bookkeeping (`BOOKKEEPING`) and the model's `not_public_fields`
  (internal notes), or the row becomes or stops being public.

For a person the public sees less than every field (DOMAIN rule 2): of
someone not named in full (initials, withheld) only what the model names in
`shown_when_not_named` (Person: the level, the status, and the names
tracker.names.listed_names keeps from them, the only things of such a person
events/disclosure.py shows or counts by), so editing a withheld person's
region, birth year or name moves nothing; of someone named in full, every
public field.

Record.save() and delete(), and RecordQuerySet.update(), bulk_create() and
delete() ask here (tracker/publishing.py), and so does the import's bulk
update (tracker/imports/bulk.py); the demo seeder moves the version itself.
A save costs one query more (two for a row that existed, three for a
person): the stored row, then whether it is public. Moving the version too
often costs only time; never moving it when the public sees a change would
serve stale pages, so whatever cannot be told apart counts as public.
"""

from django.utils import timezone

BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "version", "public_updated_at"})
BATCH = 500


def hidden_fields(model):
    """Names of the fields of `model` whose changes the public never sees."""
    return BOOKKEEPING | frozenset(getattr(model, "not_public_fields", ()))


def public_attnames(model, only=None):
    """The columns of `model` the public may see (of the fields named in `only`, when given)."""
    hidden = hidden_fields(model)
    return [
        f.attname
        for f in model._meta.concrete_fields
        if f.name not in hidden and (only is None or f.name in only or f.attname in only)
    ]


def named_only_attnames(model):
    """The public columns of `model` the public sees only of rows named in full; none for most models."""
    shown = getattr(model, "shown_when_not_named", None)
    if shown is None:
        return frozenset()
    return frozenset(public_attnames(model)) - frozenset(public_attnames(model, shown))


def public_keys(model, keys, using, only=None):
    """Which of these rows of `model` the public sees now (sees a change of, when the fields written are `only`).

    A write of only fields the public sees of people named in full
    (named_only_attnames) is seen on those rows alone.
    """
    keys = [key for key in keys if key is not None]
    rows = model._default_manager.db_manager(using).all()
    if not keys or not hasattr(rows, "published"):
        return set(keys)
    rows = rows.published()
    if only is not None and named_only_attnames(model).issuperset(public_attnames(model, only)):
        rows = rows.named()
    found = set()
    for start in range(0, len(keys), BATCH):
        found.update(rows.filter(pk__in=keys[start : start + BATCH]).values_list("pk", flat=True))
    return found


class Before:
    """What the public could see of a row before a save, to compare with after it."""

    def __init__(self, obj, using, update_fields=None):
        model = type(obj)
        self.columns = public_attnames(model, update_fields)
        self.stored = None
        self.was_public = self.was_named = False
        if not self.columns or obj.pk is None:
            return
        row = model._base_manager.db_manager(using).filter(pk=obj.pk).values_list(*self.columns).first()
        if row is not None:
            self.stored = dict(zip(self.columns, row))
            self.was_public = bool(public_keys(model, [obj.pk], using))
            self.was_named = self.was_public and self.named(model, obj.pk, using)

    @staticmethod
    def named(model, pk, using):
        """Whether the public sees every public field of the row (True but for a person not named in full)."""
        hidden = named_only_attnames(model)
        return not hidden or bool(public_keys(model, [pk], using, only=hidden))

    def changed_in_public(self, obj, using):
        """After the save: whether it changed what the public sees."""
        if not self.columns:
            return False  # only bookkeeping or hidden fields were written
        model = type(obj)
        is_public = bool(public_keys(model, [obj.pk], using))
        if self.stored is None:
            return is_public
        if is_public != self.was_public:
            return True
        if not is_public:
            return False
        changed = {name for name, old in self.stored.items() if differs(model, name, old, getattr(obj, name))}
        if not changed:
            return False
        if not named_only_attnames(model).issuperset(changed):
            return True
        # Only what the public sees of people named in full changed: seen if they are, before or after.
        return self.was_named or self.named(model, obj.pk, using)


def differs(model, attname, stored, value):
    """Whether the value written differs from the one stored (as the database would hold them)."""
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    try:
        return field.get_prep_value(field.to_python(stored)) != field.get_prep_value(field.to_python(value))
    except Exception:  # a value the field cannot read back: count it as a change
        return True


def writes_public_fields(model, names):
    """Whether an update of these fields can change what the public sees."""
    return bool(public_attnames(model, set(names)))


def stamp(model, keys, using):
    """Record on the public rows that have it when the public last saw them change (public_updated_at)."""
    if not keys or not any(f.name == "public_updated_at" for f in model._meta.concrete_fields):
        return None
    now = timezone.now()
    model._base_manager.db_manager(using).filter(pk__in=list(keys)).update(public_updated_at=now)
    return now
