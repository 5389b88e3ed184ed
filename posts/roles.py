"""The Editor, Author and Contributor roles: groups holding post permissions.

Created by a data migration and editable afterwards in the admin's group editor.
"""

from __future__ import annotations

ROLES: dict[str, list[str]] = {
    "Editor": [
        "add_post",
        "change_post",
        "delete_post",
        "view_post",
        "publish_post",
        "change_others_post",
        "delete_others_post",
    ],
    "Author": ["add_post", "change_post", "delete_post", "publish_post"],
    "Contributor": ["add_post", "change_post"],
}


def sync_roles(group_model, permission_model) -> None:
    """Create any missing role group and give it at least its default permissions. Takes the models
    as arguments so a migration can pass its historical ones."""
    grant("posts", ROLES, group_model, permission_model)


def grant(app_label: str, roles: dict[str, list[str]], group_model, permission_model) -> None:
    """Give each role group in ``roles`` (created if missing) at least its listed permissions of ``app_label``: how
    an app (posts, taxonomy, media) adds its permissions to the roles. Takes the models as arguments so a migration
    can pass its historical ones."""
    for role, codenames in roles.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.add(
            *permission_model.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def revoke(app_label: str, roles: dict[str, list[str]], group_model, permission_model) -> None:
    """Take ``grant()``'s permissions back from the role groups that exist."""
    for role, codenames in roles.items():
        group = group_model.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(
                *permission_model.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


def roles_migration(app_label: str, roles: dict[str, list[str]]):
    """The data migration operation of an app that gives the role groups its permissions (``grant``), first
    creating them (Django creates an app's permissions only after ``migrate``); reversed by ``revoke``."""
    from django.contrib.auth.management import create_permissions
    from django.db import migrations

    def forwards(apps, schema_editor) -> None:
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
        grant(app_label, roles, apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))

    def backwards(apps, schema_editor) -> None:
        revoke(app_label, roles, apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))

    return migrations.RunPython(forwards, backwards)
