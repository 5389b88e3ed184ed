"""The Editor, Author and Contributor roles (groups), editable afterwards in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from posts.roles import ROLES, sync_roles


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; make sure ours exist now.
    posts_config = apps.get_app_config("posts")
    posts_config.models_module = True
    create_permissions(posts_config, apps=apps, verbosity=0)
    posts_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
