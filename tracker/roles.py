"""The editors' roles, as auth groups, and exactly the permissions each needs.

Each app's migration grants the permissions of its own models, so that the
registry never needs to know about events.
"""

VIEWER, CONTRIBUTOR, EDITOR = "Viewer", "Contributor", "Editor"
ROLES = [VIEWER, CONTRIBUTOR, EDITOR]


def grants(app_label, publishable, children, reference):
    """Role -> permission codenames for one app's models.

    publishable: records with a workflow status (Contributors edit drafts,
    Editors publish); children: rows edited inside a parent's page (names,
    charges, participants…); reference: definitions only Editors change
    (measures).
    """
    every = publishable + children + reference
    viewer = [f"view_{m}" for m in every]
    contributor = viewer + [f"{action}_{m}" for m in publishable + children for action in ("add", "change")]
    contributor += [f"delete_{m}" for m in children]
    editor = contributor + [f"delete_{m}" for m in publishable]
    editor += [f"{action}_{m}" for m in reference for action in ("add", "change", "delete")]
    editor += [f"publish_{m}" for m in publishable]
    return {VIEWER: viewer, CONTRIBUTOR: contributor, EDITOR: editor}


def grant_roles(apps, app_label, role_codenames):
    """For a data migration: create the groups and give them these permissions."""
    from django.contrib.auth.management import create_permissions

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
