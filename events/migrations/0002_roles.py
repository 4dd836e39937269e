from django.db import migrations

from tracker.roles import grant_roles, grants

ROLES = grants(
    "events",
    publishable=["event", "figure"],
    children=["participant", "citation", "eventlink", "release", "releaseddetention"],
    reference=["measure"],
)


def create_roles(apps, schema_editor):
    grant_roles(apps, "events", ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("tracker", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
