"""The editors' roles, as auth groups, and exactly the permissions each needs.

Each app's roles migration (tracker/migrations/0002_roles.py,
events/migrations/0002_roles.py) granted these, from a frozen copy of this
table; APP_ROLES is the table as it stands, which `grant_every_role` grants
again (tests, after a flush). tests/test_migrations_frozen.py holds the two
to each other: a change here needs a migration that makes it.
"""

from django.apps import apps as django_apps

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
    """Create the groups and give them these permissions of `app_label`'s models."""
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


# Role -> permission codenames, per app. Only model names: the registry imports nothing of events.
APP_ROLES = {
    "tracker": grants(
        "tracker",
        publishable=["organization", "source", "person", "detention"],
        children=["namevariant", "charge", "detentionsource"],
        reference=[],
    ),
    "events": grants(
        "events",
        publishable=["event", "figure"],
        children=["participant", "citation", "eventlink", "release", "releaseddetention"],
        reference=["measure"],
    ),
}
# Editors also change a person's identity level (Person.Meta.permissions).
APP_ROLES["tracker"][EDITOR] = APP_ROLES["tracker"][EDITOR] + ["manage_identity"]


def grant_every_role(apps=django_apps):
    """Create the groups with every app's permissions (after a flush emptied them)."""
    for app_label, role_codenames in APP_ROLES.items():
        grant_roles(apps, app_label, role_codenames)
