"""Fast paths: what save() and full_clean() do, done for a whole sheet at once.

Everything here re-implements something Django does one record at a time,
because one at a time a 5,000-row sheet took minutes (bench/RESULTS.md).
Each must store and refuse exactly what its slow twin would:

- BulkWrites.save_records(): Model.save() with Record.save() and
  PreciseDates.save(), as bulk_create() and update_records(); a model whose
  save() does more is saved one by one by Importer.save();
- BulkWrites.update_records() and fields_changed(): QuerySet.bulk_update();
- BulkWrites.clean_choices() and choice_fields(): Field.clean() of a choice field;
- full_collections_postponed(): not Django, the garbage collector's thresholds.

A new field, or a new side effect of a model's save(), must be taught here
too, or the model left out of Importer.bulk_saves. The one fast path for a
single model, Person.save()'s search key and listed names, is
PeopleImporter.prepare_writes() in tracker/imports/people.py.
"""

import gc
import threading
from contextlib import contextmanager
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast
from django_countries.fields import CountryField

from tracker import public_changes
from tracker.caching import data_changed
from tracker.dates import PreciseDates
from tracker.publishing import Record, write_history

_full_collections = threading.Lock()
_full_collections_postponed = 0
_gc_threshold = None


@contextmanager
def full_collections_postponed():
    """No full garbage collection while a sheet is planned or written; young ones go on.

    A 5,000-row sheet holds a million objects, and each full collection scans
    them all: a dozen of them took a third of the time a confirm took. The
    young generations are still collected, so short-lived cycles are freed as
    usual and the memory used does not grow. The threshold is the process's:
    it is restored when the last import running in any thread ends.
    """
    global _full_collections_postponed, _gc_threshold
    with _full_collections:
        if _full_collections_postponed == 0:
            _gc_threshold = gc.get_threshold()
            gc.set_threshold(_gc_threshold[0], _gc_threshold[1], 1_000_000_000)
        _full_collections_postponed += 1
    try:
        yield
    finally:
        with _full_collections:
            _full_collections_postponed -= 1
            if _full_collections_postponed == 0:
                gc.set_threshold(*_gc_threshold)


def postponing_full_collections(method):
    @wraps(method)
    def wrapper(*args, **kwargs):
        with full_collections_postponed():
            return method(*args, **kwargs)

    return wrapper


class BulkWrites:
    """What save() and full_clean() do, for many records at once: the importer's fast paths.

    Importer inherits these. The slow twin of each is named in its docstring:
    Model.save() (Importer.save, which a model whose save() does more
    still takes), QuerySet.bulk_update(), Model.full_clean() and
    Field.clean(). Each one must store exactly what its twin would.
    """

    # The save() methods whose work save_records() does itself: the version
    # (Record), the truncated dates (PreciseDates). A model with any other
    # save() in its classes is saved one by one, as a form would save it.
    bulk_saves = frozenset({models.Model.save, Record.save, PreciseDates.save})
    WRITE_BATCH = 500

    def saves_in_bulk(self, model):
        return all(klass.__dict__["save"] in self.bulk_saves for klass in model.__mro__ if "save" in klass.__dict__)

    def prepare_writes(self, plan):
        """Set what the models' save() would compute, before the records are written in bulk."""

    def save_records(self, model, objs):
        """What save() does to each record, in bulk: an INSERT or UPDATE per batch, and one of history.

        New records go through RecordQuerySet.bulk_create(), which writes
        their history ("+"). Changed ones are updated through the base manager,
        whose update() adds no history, and write_history() then records them
        ("~"). Either way with the user and the reason set on each record, as
        self.save() sets them. No signals are sent: the only save receivers of
        these models are history's and the fixture loader's
        (tests/test_import_people.py checks).
        """
        if not self.saves_in_bulk(model):
            for obj in objs:
                self.save(obj)
            return
        for obj in objs:
            obj._history_user = self.user
            obj._change_reason = self.reason
            if isinstance(obj, PreciseDates):
                obj.truncate_dates()
        new = [obj for obj in objs if obj._state.adding]
        changed = [obj for obj in objs if not obj._state.adding]
        if new:
            model.objects.bulk_create(new, batch_size=self.WRITE_BATCH)
        if changed:
            self.update_records(model, changed)
            write_history(model, changed, "~", using=router.db_for_write(model))

    def update_records(self, model, objs):
        """UPDATE the fields that changed, a batch of records per query: what save() would store.

        A field with one value across the batch is set as it is; only fields
        whose values differ take a CASE (bulk_update() gives every field one,
        whose cost grows with the square of the batch). Moves the public data
        version only if the public sees the change, as RecordQuerySet.update().
        """
        now = {}
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False):  # updated_at: one time for the whole import
                now[f.attname] = f.pre_save(objs[0], False)
        for obj in objs:
            obj.version += 1  # as Record.save(); the query adds 1 to the (locked) row's
            for f in model._meta.concrete_fields:
                if f.attname in now:
                    setattr(obj, f.attname, now[f.attname])
                else:
                    f.pre_save(obj, False)
        fields = [model._meta.get_field(name) for name in self.fields_changed(model, objs) if name != "version"]
        manager = model._base_manager
        using = router.db_for_write(model)
        cast = connections[using].features.requires_casted_case_in_updates
        # As RecordQuerySet.update(): the rows the public sees before or after the write, if the
        # fields written are any the public sees (tracker/public_changes.py). A Contributor's
        # sheet of drafts moves no public data version.
        written = [f.name for f in fields]
        public = public_changes.writes_public_fields(model, written)
        shown = set()
        for start in range(0, len(objs), self.WRITE_BATCH):
            batch = objs[start : start + self.WRITE_BATCH]
            keys = [obj.pk for obj in batch]
            if public:
                shown |= public_changes.public_keys(model, keys, using, written)
            values = {"version": F("version") + 1}
            for f in fields:
                try:
                    distinct = len({f.get_prep_value(getattr(obj, f.attname)) for obj in batch})
                except TypeError:  # values that cannot be hashed (JSON): a CASE
                    distinct = len(batch)
                if distinct == 1:
                    values[f.attname] = Value(getattr(batch[0], f.attname), output_field=f)
                else:
                    case = Case(
                        *(When(pk=obj.pk, then=Value(getattr(obj, f.attname), output_field=f)) for obj in batch),
                        output_field=f,
                    )
                    values[f.attname] = Cast(case, output_field=f) if cast else case  # as bulk_update()
            manager.filter(pk__in=keys).update(**values)
            if public:
                shown |= public_changes.public_keys(model, keys, using, written)
        if shown:
            public_changes.stamp(model, shown, using)
            data_changed(using, model)

    def fields_changed(self, model, objs):
        """Names of the fields any of `objs` holds a value for that differs from its row in the database."""
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
        changed = set()
        for start in range(0, len(objs), self.WRITE_BATCH):
            batch = {obj.pk: obj for obj in objs[start : start + self.WRITE_BATCH]}
            rows = model._base_manager.filter(pk__in=batch).values_list("pk", *(f.attname for f in fields))
            for pk, *stored in rows:
                obj = batch[pk]
                for f, value in zip(fields, stored):
                    if f.name not in changed and f.get_prep_value(getattr(obj, f.attname)) != f.get_prep_value(value):
                        changed.add(f.name)
        return [f.name for f in fields if f.name in changed]

    def clean_choices(self, obj, exclude):
        """Clean the choice fields of `obj` that hold a valid choice, as clean_fields() would; return their names.

        Field.validate() looks for the value among the field's choices one by
        one, and django-countries makes a country's list anew each time: a
        third of the time a 5,000-row sheet took to plan. Here the choices are
        a set made once per import. Only values found in it are cleaned here
        (to_python, then the field's validators, as Field.clean()); anything
        else is left to full_clean(), for its error message.
        """
        cleaned = set()
        for f in self.choice_fields(type(obj)):
            if f.name in exclude:
                continue
            value = f.to_python(getattr(obj, f.attname))
            if not isinstance(value, str) or value in f.empty_values or value not in self.choice_values(f):
                continue
            try:
                f.run_validators(value)
            except ValidationError:
                continue
            setattr(obj, f.attname, value)
            cleaned.add(f.name)
        return cleaned

    def choice_fields(self, model):
        """Fields whose clean() is to_python(), the choices check and the validators, and that no uniqueness names."""
        if model not in self._choice_fields:

            def is_plain(f):
                kind = type(f)
                if kind.clean is not models.Field.clean or kind.run_validators is not models.Field.run_validators:
                    return False
                if isinstance(f, CountryField):  # its own methods hand a single country to CharField's
                    return (
                        not f.multiple
                        and kind.validate is CountryField.validate
                        and kind.to_python is CountryField.to_python
                    )
                return kind.validate is models.Field.validate and kind.to_python is models.CharField.to_python

            opts = model._meta
            unique = {name for names in opts.unique_together for name in names}
            unique |= {
                getattr(f, a)
                for f in opts.concrete_fields
                for a in ("unique_for_date", "unique_for_month", "unique_for_year")
            }
            self._choice_fields[model] = [
                f
                for f in opts.concrete_fields
                if f.choices is not None
                and f.editable
                and not f.unique
                and not f.generated
                and f.name not in unique
                and isinstance(f, models.CharField)
                and is_plain(f)
            ]
        return self._choice_fields[model]

    def choice_values(self, f):
        if f not in self._choice_values:
            self._choice_values[f] = frozenset(value for value, _ in f.flatchoices)
        return self._choice_values[f]
