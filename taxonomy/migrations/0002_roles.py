"""The role groups' taxonomy permissions (``taxonomy.roles``): Editors manage categories and tags; Authors and
Contributors attach them; Authors may create tags while writing a post."""

from django.db import migrations

from taxonomy.roles import ROLES
from posts.roles import roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0001_initial"),
        ("posts", "0002_roles"),  # the role groups
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [roles_migration("taxonomy", ROLES)]
