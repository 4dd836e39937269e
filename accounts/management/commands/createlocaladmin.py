import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.createadmin import print_enrolment
from accounts.second_factor import enrol_now


class Command(BaseCommand):
    help = "Create (or reset) the local development administrator and print how to log in (password and second factor)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--address", default="http://127.0.0.1:8000", help="Where the site is served.")

    def handle(self, *args, username, address, **options):
        # A known account with a printed password is a convenience for a
        # laptop, and a hole anywhere else.
        if not settings.DEBUG:
            raise CommandError("createlocaladmin is for local development only: it refuses to run with DEBUG off.")
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        # The admin asks everyone for a second factor, this account too: a new
        # one each time, with recovery codes (one of them will do locally).
        device, codes = enrol_now(user)
        action = "Created" if created else "Reset the password and second factor of"
        self.stdout.write(self.style.SUCCESS(f"{action} the local administrator."))
        self.stdout.write(f"Log in at {address}/admin/ as “{username}” with the password: {password}")
        self.stdout.write("and then a code from an authenticator app, or one of the recovery codes below.")
        print_enrolment(self, device, codes, address)
