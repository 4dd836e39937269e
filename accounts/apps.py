from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    """Staff accounts: the second factor, sign-in throttling by address, and the commands that make administrators."""

    default = True
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Its signals: a new account, or one just made staff, may enrol a second factor for a while.
        from accounts import second_factor  # noqa: F401


class SecondFactorAdminConfig(admin_apps.AdminConfig):
    """The admin, served by a site that asks for the second factor (accounts.second_factor)."""

    default = False  # named in INSTALLED_APPS; AccountsConfig is this module's default
    default_site = "accounts.second_factor.AdminSite"


class SignInThrottlingConfig(AxesAppConfig):
    """django-axes, named in the admin for what it does: its section was headed "AXES"."""

    verbose_name = "Sign-in throttling"
