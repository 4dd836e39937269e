from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.createadmin import print_enrolment
from accounts.second_factor import ENROL_HOURS, enrol_now, open_enrolment


class Command(BaseCommand):
    help = (
        "Reset an account's second factor (a lost phone and lost recovery codes). By default the person sets up a "
        f"new authenticator app at their next sign-in, within {ENROL_HOURS} hours; with --enrol-here, a new one is "
        "made now and printed, for an administrator at the server's console."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--enrol-here", action="store_true", help="Make and print the new second factor now.")
        parser.add_argument(
            "--address", default="http://127.0.0.1:8000", help="Where the site is served, for the sign-in link."
        )

    def handle(self, *args, username, enrol_here, address, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is named {username!r}.")
        if enrol_here:
            device, codes = enrol_now(user)
            self.stdout.write(
                self.style.SUCCESS(f"Made a new second factor for “{username}”; the old one no longer works.")
            )
            print_enrolment(self, device, codes, address)
            return
        open_enrolment(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Reset the second factor of “{username}”: the old one no longer works, and they can set up a new "
                f"authenticator app at their next sign-in, within {ENROL_HOURS} hours."
            )
        )
