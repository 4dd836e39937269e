"""Withdrawn consent reaches text that is already public, at once.

A published record's text never names a person whom the public sees only by
initials or not at all (tracker/names.py, PublicText): that is checked when
the text is written and when it is published. When a person's protection is
raised (their identity level moves to one that shows less of them: the
family withdrew consent), text written and published earlier may name them.
Refusing the withdrawal would keep the name public; leaving the text would
too. So, in the same transaction as the person's save:

- every record with public text (each model that declares `public_text`,
  found through the app registry: tracker never imports events) whose text
  names them, by the same matcher as the check (NameMatcher), is found;
- the record whose status makes that text public (its `text_owner`: the
  record itself, or the event a citation belongs to…) moves from published
  to In review, with a history change reason that says why and not who;
  each save moves the public data version, so every page, download, feed
  and the data package stop showing it at once;
- Person.save() keeps the list on the person (`taken_down`), and the
  person's admin page tells the Editor which records to edit and republish.
  Publishing refuses them while their text still names the person.

Withdrawing is never blocked: nothing here raises for a record it finds.
"""

from django.apps import apps
from django.db import router

from tracker.names import NameMatcher, PublicText, is_protected, matcher_for, matcher_for_all, shows_more
from tracker.publishing import Status

# Kept in each record's history; the person is not named (a Contributor may read the record's history).
REASON = "Taken off the public site: its public text names a person whose name is now protected."
BATCH = 2000


def raised(stored, level) -> bool:
    """Whether moving a person from the identity level `stored` to `level` shows less of them."""
    return stored is not None and shows_more(stored, level)


def renamed_while_protected(stored, level, names_changed) -> bool:
    """Whether a person no public text may name (anyone not named in full) has a name no text was checked against.

    A new spelling (a rename, a name variant added) of a withheld or initials
    person: text published earlier may use it.
    """
    return names_changed and stored is not None and is_protected(level)


def text_models():
    """Every model whose rows have public text, in the app registry's order."""
    return [model for model in apps.get_models() if issubclass(model, PublicText) and model.public_text]


def records_naming(person, using=None, matcher: NameMatcher | None = None, people=None) -> dict:
    """{owner model: {pk, …}}: the published records whose public text names `person` (or any of `people`, keys)."""
    matcher = matcher or matcher_for(person)
    people = {person.pk} if people is None else set(people)
    found = {}
    for model in text_models():
        owner = model.text_owner or "pk"
        owner_model = model if owner == "pk" else model._meta.get_field(model.text_owner).related_model
        rows = model.rows_with_public_text(using).exclude(**{f"{field}": "" for field in model.public_text})
        if model._meta.concrete_model is apps.get_model("tracker", "Person"):
            rows = rows.exclude(pk__in=people)
        fields = list(model.public_text)
        for row in rows.values_list(owner, *fields).order_by().iterator(chunk_size=BATCH):
            if matcher.find(dict(zip(fields, row[1:]))):
                found.setdefault(owner_model, set()).add(row[0])
    return found


def take_down_text_naming(person, using=None) -> list:
    """Move every published record whose public text names `person` to In review; the records, for the Editor.

    Called by Person.save() inside its transaction, after the raised level
    (or the protected person's new name) is written, and by NameVariant.save().
    """
    using = using or router.db_for_write(type(person), instance=person)
    return take_down(records_naming(person, using), using)


def take_down_text_naming_all(people, using=None) -> list:
    """The same for several people at once (`people`: their keys), in one pass over the public text.

    For the writes that raise the protection of many people, or give
    protected people new names, at once: PersonQuerySet.update()
    (tracker/protection.py, update_in_bulk) and the people import. A bounded
    number of queries whatever the number of people: tracker.names.matcher_for_all(),
    then one query per model with public text, and a save per record taken down.
    """
    people = set(people)
    if not people:
        return []
    matcher = matcher_for_all(people, using)
    return take_down(records_naming(None, using, matcher=matcher, people=people), using)


def take_down(found, using) -> list:
    taken_down = []
    for owner_model, pks in found.items():
        for record in owner_model._base_manager.db_manager(using).filter(pk__in=pks, status=Status.PUBLISHED):
            record.status = Status.IN_REVIEW
            record._change_reason = REASON
            record.save(update_fields=["status", "updated_at"])
            unpublished = getattr(record, "publication_changed", None)
            if unpublished is not None:
                unpublished()  # a release puts back the detentions it ended, as a retraction does
            taken_down.append(record)
    return taken_down
