"""The admin's forms: dates as precise as the editor knows them, and saves that never overwrite unseen work.

Every admin page and inline uses VersionedForm (tracker/admin.py's
RecordAdmin and RecordInline), so every one of them refuses a stale version,
a locked record and text no feed can carry.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

from tracker import protection
from tracker.dates import Precision, date_iso, parse_precise
from tracker.text import problem_characters


def with_user(form_class, request):
    """The form class, knowing who submits it (for checks that depend on the role)."""
    return type(form_class.__name__, (form_class,), {"user": request.user})


class ReducedDateField(forms.DateField):
    """A date field that also takes "2025", "2025-10", "October 2025" and "12 October 2025".

    What the editor typed sets the precision: a month typed as a month needs no
    first-of-month day and no separate choice of precision. A day written in
    figures leaves the precision to the form's own field, as its help says
    ("pick Month … and enter any day of that month").
    """

    implied_precision = None

    def to_python(self, value):
        self.implied_precision = None
        text = (value or "").strip() if isinstance(value, str) else value
        if isinstance(text, str) and text:
            try:
                parsed = parse_precise(text, in_words=True)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if parsed is not None:
                day, precision = parsed
                if precision != Precision.DAY or any(char.isalpha() for char in text):
                    self.implied_precision = precision
                    return day
        return super().to_python(value)

    def has_changed(self, initial, data):
        # The initial value of an imprecise date is its reduced form ("2025-10").
        implied = self.implied_precision
        if isinstance(initial, str):
            try:
                initial = self.to_python(initial)
            except ValidationError:
                pass
        self.implied_precision = implied
        return super().has_changed(initial, data)


def refuse_problem_characters(value):
    """A form error naming the characters that feeds and spreadsheets cannot hold (tracker/text.py)."""
    problem = problem_characters(value)
    if problem:
        raise ValidationError(problem, code="problem_characters")


class VersionedForm(forms.ModelForm):
    """Refuses to save over a version the editor did not see, and text no feed can carry.

    The form carries the version the page was opened on; saving compares it
    with the database's under a row lock (the admin saves in a transaction),
    so of two editors who opened the same version only the first one saves.

    Every admin page and inline uses this form (RecordAdmin, RecordInline), so
    every text field of the admin refuses the characters of tracker/text.py.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    user = None  # set by with_user()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # From the database, not the instance: a restore form is built
            # from an old version, and must be checked against the current one.
            self.fields["seen_version"].initial = self.current_version()
        elif self.instance.pk:
            # A submitted form: clean() compares the version seen with the database's, under a lock.
            # The version seen is not an edit of the row (has_changed), whatever it is.
            self.fields["seen_version"].initial = self.seen_in_data()
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                # Django's own NUL check would say the same thing less clearly, beside ours.
                field.validators = [
                    validator
                    for validator in field.validators
                    if not isinstance(validator, ProhibitNullCharactersValidator)
                ] + [refuse_problem_characters]
        for date_name, precision_name in getattr(self._meta.model, "precise_dates", ()):
            field = self.fields.get(date_name)
            if field is None:
                continue
            reduced = ReducedDateField(
                required=field.required, label=field.label, help_text=field.help_text, widget=field.widget
            )
            reduced.widget.attrs.setdefault("placeholder", "2025-10-12, 2025-10 or 2025")
            self.fields[date_name] = reduced
            value = getattr(self.instance, date_name, None)
            if value is not None and date_name not in self.initial_overridden:
                # A month is shown as "2025-10", never as its first day.
                self.initial[date_name] = date_iso(value, getattr(self.instance, precision_name))

    initial_overridden = ()

    def _post_clean(self):
        for date_name, precision_name in getattr(self._meta.model, "precise_dates", ()):
            field = self.fields.get(date_name)
            implied = getattr(field, "implied_precision", None)
            if implied and precision_name in self.cleaned_data:
                self.cleaned_data[precision_name] = implied
        super()._post_clean()

    def current_version(self):
        rows = type(self.instance)._base_manager.filter(pk=self.instance.pk).order_by()
        return rows.values_list("version", flat=True).first()

    def seen_in_data(self):
        field = self.fields["seen_version"]
        try:
            return field.to_python(
                field.widget.value_from_datadict(self.data, self.files, self.add_prefix("seen_version"))
            )
        except ValidationError:
            return None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.instance._state.adding:
            # The stored row, locked until the save commits (the admin saves in a transaction).
            stored = type(self.instance)._base_manager.filter(pk=self.instance.pk).order_by().select_for_update()
            stored = stored.first()
            if stored is None:
                # Saving would write it back (an UPDATE of no row becomes an INSERT): refused, as a conflict.
                raise ValidationError(
                    "Not saved: this record was deleted after you opened it. Your edits are still in the form "
                    "below; copy what you need, then add the record again if it should exist.",
                    code="deleted",
                )
            if cleaned.get("seen_version") != stored.version:
                raise ValidationError(self.conflict_message(), code="stale")
            if self.user is not None and self.has_changed():
                # An inline row keeps its own status: a published figure under
                # a reopened event is still an Editor's to change.
                if not stored.is_editable_by(self.user):
                    raise ValidationError(
                        f"“{stored}” is {stored.get_status_display().lower()}: only an Editor can change it.",
                        code="locked",
                    )
        return cleaned

    def conflict_message(self):
        last = self.instance.history.order_by("-history_date").select_related("history_user").first()
        who = getattr(last.history_user, "username", "someone") if last and last.history_user else "someone"
        when = timezone.localtime(last.history_date).strftime("%d %B %Y at %H:%M:%S %Z") if last else "meanwhile"
        return (
            f"Not saved: {who} saved this record at {when}, after you opened it. "
            "Your edits are still in the form below; open the record again in a new tab "
            "to see their version, then apply your edits to it."
        )


class PersonForm(VersionedForm):
    """A person's page: showing more of a person than before takes a reason (tracker/protection.py)."""

    identity_change_reason = forms.CharField(
        label="Reason for showing more of this person",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Needed only to show more of the person than now (from withheld to initials, or from initials "
        "to the full name): say what the person or their family agreed to, and when. Kept in the history, "
        "where only Editors read it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not protection.IDENTITY_FIELDS & set(self.fields):
            # Who cannot see identity levels changes none: restoring an old version
            # keeps the current level and internal notes.
            protection.keep_stored_identity(self.instance)

    def clean(self):
        cleaned = super().clean()
        level, reason = cleaned.get("identity_level"), cleaned.get("identity_change_reason", "")
        if level and reason.strip() and self.user is not None:
            try:
                self.instance.show_more(level, by=self.user, reason=reason)
            except PermissionDenied as error:
                raise ValidationError(str(error), code="permission") from None
        return cleaned
