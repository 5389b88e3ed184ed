"""Issue 17: a post's featured image, from the media library.

On SQLite, removing the column (unapplying this migration) rebuilds ``posts_post``, which drops the change
counter's triggers (0007): they are created again after it, and after adding it in case the database rebuilt the
table then too.
"""

import django.db.models.deletion
from django.db import migrations, models

BUMP = "UPDATE posts_changes SET counter = counter + 1 WHERE id = 1"


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS posts_changes_posts_{event.lower()} AFTER {event} ON posts_post "
            f"BEGIN {BUMP}; END"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
        ("posts", "0007_search_and_changes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers),
        migrations.AddField(
            model_name="post",
            name="featured_media",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"type": "image"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="featured_in",
                to="media.media",
            ),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
    ]
