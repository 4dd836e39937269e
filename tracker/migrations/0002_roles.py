from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copies of tracker/roles.py's grants() and grant_roles() as they were when this
# migration was written: a migration keeps doing on a fresh database what it did then,
# whatever later becomes of the app's code. tracker/roles.py holds today's table.

VIEWER, CONTRIBUTOR, EDITOR = "Viewer", "Contributor", "Editor"


def grants(publishable, children, reference):
    """Role -> permission codenames for one app's models."""
    every = publishable + children + reference
    viewer = [f"view_{m}" for m in every]
    contributor = viewer + [f"{action}_{m}" for m in publishable + children for action in ("add", "change")]
    contributor += [f"delete_{m}" for m in children]
    editor = contributor + [f"delete_{m}" for m in publishable]
    editor += [f"{action}_{m}" for m in reference for action in ("add", "change", "delete")]
    editor += [f"publish_{m}" for m in publishable]
    return {VIEWER: viewer, CONTRIBUTOR: contributor, EDITOR: editor}


def grant_roles(apps, app_label, role_codenames):
    """Create the groups and give them these permissions of `app_label`'s models."""
    # Permissions are normally created after all migrations have run; a data
    # migration that assigns them has to create them first.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in role_codenames.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)


ROLES = grants(
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
