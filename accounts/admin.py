"""django.contrib.auth's pages, with whether each account has its second factor and the action that resets it.

django-otp's own device pages are not shown: they would show superusers
everyone's secret keys.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import ENROL_HOURS, open_enrolment

admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "has_second_factor"]
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(apps))

    @admin.display(description="second factor", boolean=True, ordering="second_factor")
    def has_second_factor(self, user):
        return user.second_factor

    @admin.action(description="Reset the second factor of the selected accounts", permissions=["change"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            open_enrolment(user)
        self.message_user(
            request,
            f"Reset the second factor of {len(queryset)} account{'s' if len(queryset) != 1 else ''}: "
            f"each can set up a new authenticator app at their next sign-in, within {ENROL_HOURS} hours. "
            "Do this only when you have heard from the person by a channel you trust.",
            messages.SUCCESS,
        )
