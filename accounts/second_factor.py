"""The admin's second factor: every staff account signs in with a password and a code.

The code comes from an authenticator app (TOTP, RFC 6238: django-otp's
TOTPDevice), or is one of ten recovery codes, each good once (StaticDevice).
The admin's pages need a session verified by one of them; a signed-in staff
user without one is sent to /admin/second-factor/ to give a code, or to enrol.

Enrolling needs only the password, so it is allowed for a short time: within
ENROL_HOURS of the account's creation or of an administrator resetting its
second factor (the Users admin's action, or `manage.py reset_second_factor`).
The open enrolment is an unconfirmed TOTP device; confirming it with a code
from the app ends it. Anyone else whose second factor is gone asks an
administrator. Wrong codes slow down per device (django-otp's throttling:
1, 2, 4, 8… seconds); wrong passwords are django-axes' (settings).
"""

import base64
import datetime
import re
import time

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

# How long an account may enrol a second factor with its password alone.
ENROL_HOURS = 72
RECOVERY_CODES = 10
APP_DEVICE, RECOVERY_DEVICE, OPEN_ENROLMENT = "Authenticator app", "Recovery codes", "Enrolment"
# Session keys: when the password was given, and the enrolment key shown to this session.
PASSWORD_AT, CANDIDATE_KEYS = "second_factor_password_at", "second_factor_candidate"
# A code from the app is six digits; anything else is tried as a recovery code.
APP_CODE = re.compile(r"\d{6}")


# --- Devices ------------------------------------------------------------------------


def app_device(user):
    """The user's confirmed authenticator app, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def open_enrolment(user):
    """Remove the user's second factor and let them enrol a new one, with their password, for ENROL_HOURS."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        return TOTPDevice.objects.create(user=user, name=OPEN_ENROLMENT, confirmed=False)


def enrolment(user):
    """The user's open enrolment (an unconfirmed TOTP device), if it is recent enough to use."""
    if app_device(user) is not None:
        return None
    since = timezone.now() - datetime.timedelta(hours=ENROL_HOURS)
    return TOTPDevice.objects.filter(user=user, confirmed=False, created_at__gte=since).order_by("-created_at").first()


def usable_enrolment(request):
    """The open enrolment this session may use: only one whose password sign-in came after enrolment opened.

    A session verified by a device that a reset then removed is signed in
    with the password of before the reset: it must sign in again to enrol.
    """
    device = enrolment(request.user)
    signed_in = request.session.get(PASSWORD_AT)
    if device is None or signed_in is None or signed_in < device.created_at.timestamp():
        return None
    return device


def candidate(request, device):
    """This session's own key for the enrolment, made on its first look: no other session ever sees it.

    The key becomes the device's only when this session confirms it with a code.
    """
    keys = request.session.get(CANDIDATE_KEYS, {})
    if str(device.pk) not in keys:
        keys = {str(device.pk): random_hex(20)}
        request.session[CANDIDATE_KEYS] = keys
    shown = TOTPDevice(user=request.user, key=keys[str(device.pk)], name=device.name)
    return shown


@receiver(user_logged_in, dispatch_uid="second_factor_password_time")
def remember_password_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[PASSWORD_AT] = time.time()


def confirm(device):
    """Make an enrolment the user's authenticator app and give them new recovery codes; returns the codes."""
    with transaction.atomic():
        device.name, device.confirmed = APP_DEVICE, True
        device.save(update_fields=["name", "confirmed"])
        return new_recovery_codes(device.user)


def new_recovery_codes(user):
    """Replace the user's recovery codes with RECOVERY_CODES new ones; returns them (they are shown once)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrol_now(user):
    """A confirmed authenticator app and recovery codes for `user`, for a command run by an administrator.

    Returns (device, codes): the device's key is printed once, as a QR code and as text.
    """
    device = open_enrolment(user)
    return device, confirm(device)


def grouped_key(device):
    """The device's key as an authenticator app asks for it by hand: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[index : index + 4] for index in range(0, len(key), 4))


def qr_svg(device):
    """The device's otpauth:// URL as an inline SVG QR code (no script, no style attribute)."""
    return mark_safe(
        segno.make(device.config_url, error="m").svg_inline(
            scale=4, dark="#000", light="#fff", title="QR code for your authenticator app", svgclass="qr-code"
        )
    )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="second_factor_promotion")
def note_promotion(sender, instance, raw=False, **kwargs):
    # An account made staff now, however old, may enrol for the hours that follow.
    instance._made_staff = bool(
        not raw
        and instance.pk
        and instance.is_staff
        and type(instance).objects.filter(pk=instance.pk, is_staff=False).exists()
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="second_factor_new_account")
def new_account_may_enrol(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created or (getattr(instance, "_made_staff", False) and app_device(instance) is None):
        open_enrolment(instance)


# --- Pages ----------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").lower()


def safe_next(request):
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def verify(user, code):
    """The device that accepts `code` (the app's, or a recovery code, used up), with why not otherwise.

    Each device counts its own wrong codes and waits longer after each
    (django-otp); the row is locked while a code is checked, so two
    requests cannot both use one recovery code or skip a wait.
    """
    # Six digits go to the app, anything else to the recovery codes: each device
    # counts only its own wrong codes, so a locked app never blocks a recovery code.
    model = TOTPDevice if APP_CODE.fullmatch(code) else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                return None, too_many(details)
            if device.verify_token(code):
                return device, ""
    return None, "That code is not right. Codes from the app change every 30 seconds; a recovery code works once."


def verified(user):
    """Whether the session's user gave the second factor (OTPMiddleware sets otp_device; a user just signed in has none)."""
    return getattr(user, "otp_device", None) is not None


def too_many(details):
    until = (details or {}).get("locked_until")
    wait = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return f"Too many wrong codes: wait {wait} second{'' if wait == 1 else 's'}, then try again."


class LabelledAutocomplete(AutocompleteJsonView):
    """A picker's options labelled as their ModelAdmin says (autocomplete_label), else as the record names itself:
    a source found by its publisher's name shows that name too."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


class AdminSite(admin.AdminSite):
    """The admin: staff sessions verified by a second factor only."""

    site_header = "Political prisoner release tracker"
    site_title = "Tracker admin"
    index_title = "Editors' workspace"

    def has_permission(self, request):
        return super().has_permission(request) and verified(request.user)

    def autocomplete_view(self, request):
        return LabelledAutocomplete.as_view(admin_site=self)(request)

    def awaits_code(self, request):
        user = request.user
        return user.is_authenticated and user.is_active and user.is_staff and not verified(user)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        # Signed in with the password, not yet with the code: the second step.
        if request.method == "GET" and self.awaits_code(request):
            return self.to_second_factor(request)
        response = super().login(request, extra_context)
        if request.method == "POST" and response.status_code == 302 and self.awaits_code(request):
            return self.to_second_factor(request)
        return response

    def to_second_factor(self, request):
        return redirect(
            f"{reverse('admin:second_factor', current_app=self.name)}?{urlencode({REDIRECT_FIELD_NAME: safe_next(request)})}"
        )

    def get_urls(self):
        return [
            path("second-factor/", self.second_factor, name="second_factor"),
            path("second-factor/sign-out/", self.sign_out, name="second_factor_sign_out"),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    @method_decorator(require_POST)
    @login_not_required
    def sign_out(self, request):
        """Sign out between the password and the code (the admin's own sign-out needs both)."""
        auth_logout(request)
        return redirect("admin:login")

    @method_decorator(never_cache)
    @method_decorator(csrf_protect)
    @login_not_required
    def second_factor(self, request):
        """Give a code, or enrol an authenticator app while enrolment is open."""
        if not self.awaits_code(request):
            return redirect("admin:index" if self.has_permission(request) else "admin:login")
        user = request.user
        context = {
            **self.each_context(request),
            "next": safe_next(request),
            "username": user.get_username(),
            "enrol_hours": ENROL_HOURS,
        }
        form = CodeForm(request.POST or None)
        if app_device(user) is None:
            device = usable_enrolment(request)
            if device is None:
                context["title"] = "Second factor needed"
                return render(request, "admin/second_factor/closed.html", context, status=403)
            shown = candidate(request, device)
            context.update(title="Set up your second factor", form=form, qr=qr_svg(shown), key=grouped_key(shown))
            if form.is_valid():
                verified, problem = verify_enrolment(device, shown.key, form.cleaned_data["code"])
                if verified:
                    device.refresh_from_db()
                    codes = confirm(device)
                    request.session.pop(CANDIDATE_KEYS, None)
                    self.verified(request, device)
                    context.update(title="Your recovery codes", codes=codes)
                    return render(request, "admin/second_factor/recovery_codes.html", context)
                form.add_error("code", problem)
            return render(request, "admin/second_factor/enrol.html", context, status=400 if form.errors else 200)
        context.update(title="Second factor", form=form)
        if form.is_valid():
            device, problem = verify(user, form.cleaned_data["code"])
            if device is not None:
                self.verified(request, device)
                return redirect(context["next"])
            form.add_error("code", problem)
        return render(request, "admin/second_factor/verify.html", context, status=400 if form.errors else 200)

    def verified(self, request, device):
        # A new session key once the second factor is given, as after the password.
        request.session.cycle_key()
        otp_login(request, device)


def verify_enrolment(device, key, code):
    """Whether `code` comes from the app given `key` (this session's), with why not otherwise; on success the key is the device's."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if device is None:
            return False, "This set-up has ended: sign in again."
        allowed, details = device.verify_is_allowed()
        if not allowed:
            return False, too_many(details)
        device.key = key
        if device.verify_token(code):
            return True, ""
    return False, "That code is not right: type the six digits the app shows now, after adding the key."
