from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TrackerConfig(AppConfig):
    default = True
    name = "tracker"
    verbose_name = "Registry"

    def ready(self):
        # Its signal: a new account may enrol a second factor for a while.
        # The deployment checks of `check --deploy`.
        from tracker import (
            checks,  # noqa: F401
            second_factor,  # noqa: F401
        )


class TrackerAdminConfig(admin_apps.AdminConfig):
    """The admin, served by a site that asks for the second factor (tracker.second_factor)."""

    default = False  # named in INSTALLED_APPS; TrackerConfig is this module's default
    default_site = "tracker.second_factor.AdminSite"
