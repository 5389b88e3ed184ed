"""The role groups' media permissions (``media.roles``): all three roles upload and edit or delete their own
uploads; Editors everyone's."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from media.roles import remove_from_roles, sync_roles


def add_to_roles(apps, schema_editor):
    # Permissions are normally created after migrate; make sure ours exist now.
    config = apps.get_app_config("media")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove(apps, schema_editor):
    remove_from_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("posts", "0002_roles"),  # the role groups
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_to_roles, remove)]
