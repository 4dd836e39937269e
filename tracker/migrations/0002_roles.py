from django.db import migrations

from tracker.roles import EDITOR, grant_roles, grants

ROLES = grants(
    "tracker",
    publishable=["organization", "source", "person", "detention"],
    children=["namevariant", "charge", "detentionsource"],
    reference=[],
)
ROLES[EDITOR] = ROLES[EDITOR] + ["manage_identity"]


def create_roles(apps, schema_editor):
    grant_roles(apps, "tracker", ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
