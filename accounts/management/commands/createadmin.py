import getpass
import os
import secrets
import sys

import segno
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.second_factor import enrol_now, grouped_key


def print_enrolment(command, device, codes, address):
    """What the new administrator needs to sign in: the app's key as a QR code and as text, and recovery codes."""
    write = command.stdout.write
    write("")
    write("Second factor: add this account to an authenticator app (Aegis, FreeOTP, Google Authenticator, 1Password…)")
    write("by scanning this QR code:")
    write("")
    qr = segno.make(device.config_url, error="m")
    if command.stdout.isatty():
        qr.terminal(out=command.stdout._out, compact=True)
    else:
        # Dark modules as full blocks, light as spaces, two columns per module: readable in a log or a pager.
        for row in qr.matrix_iter(scale=1, border=2):
            write("".join("██" if dark else "  " for dark in row))
    write("")
    write(f"or by typing this key (time-based, 6 digits, 30 seconds): {grouped_key(device)}")
    write(f"or by opening: {device.config_url}")
    write("")
    write("Recovery codes: each signs in once, if the phone is lost. Keep them offline, away from the phone:")
    for code in codes:
        write(f"    {code}")
    write("")
    write(f"Then sign in at {address.rstrip('/')}/admin/ with the password and the code the app shows.")


class Command(BaseCommand):
    help = (
        "Create the first administrator (a superuser) with a second factor, and print how to enrol it: "
        "a QR code and key for an authenticator app, and recovery codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--address", default="http://127.0.0.1:8000", help="Where the site is served, for the sign-in link."
        )
        parser.add_argument(
            "--no-input",
            action="store_true",
            help="Ask nothing: the password comes from DJANGO_SUPERUSER_PASSWORD, or is generated and printed.",
        )

    def handle(self, *args, username, email, address, no_input, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(
                f"An account named {username!r} exists already. To give it a new second factor, use "
                f"`manage.py reset_second_factor {username}`; to change its password, `manage.py changepassword {username}`."
            )
        password, generated = self.password(no_input)
        user = User(username=username, email=email, is_staff=True, is_superuser=True, is_active=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("The password is refused: " + " ".join(error.messages)) from error
        with transaction.atomic():
            user.set_password(password)
            user.save()
            device, codes = enrol_now(user)
        self.stdout.write(self.style.SUCCESS(f"Created the administrator “{username}”."))
        if generated:
            self.stdout.write(f"Password (shown once; change it after signing in): {password}")
        print_enrolment(self, device, codes, address)

    def password(self, no_input):
        given = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if given:
            return given, False
        if no_input or not sys.stdin.isatty():
            return secrets.token_urlsafe(18), True
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ: nothing was created.")
        if not first:
            raise CommandError("An empty password: nothing was created.")
        return first, False
