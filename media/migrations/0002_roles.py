"""The role groups' media permissions (``media.roles``): all three roles upload and edit or delete their own
uploads; Editors everyone's."""

from django.db import migrations

from media.roles import ROLES
from posts.roles import roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("posts", "0002_roles"),  # the role groups
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [roles_migration("media", ROLES)]
