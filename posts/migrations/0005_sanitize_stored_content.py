"""Re-clean documents saved before ``content_raw`` was stored sanitized (issue #10, item 11).

Inline HTML in their text fields could still hold live markup (``<img onerror=…>``), which the admin's
block editor would load. Each post is re-parsed through ``posts.content`` with its limits lifted (an old
document may exceed today's work limits, and must not be lost for it); a post whose document changes gets
the cleaned ``content_raw``, a re-rendered ``content_html``/``content_text``, and a new version and
``updated_at`` (its representation changed, so ETags and ``updated_after`` syncs must see it). A document
the validator refuses outright is left as it was and named in the output.

It imports the app's current ``posts.content``, unlike a purely historical migration: the point is to
apply today's sanitizer.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

UNLIMITED = 10**12
LIMITS = (
    "max_bytes",
    "max_blocks",
    "max_string_length",
    "max_table_cells",
    "max_list_items",
    "max_text_length",
    "max_markup",
    "max_field_markup",
    "max_values",
)


def sanitize_stored_content(apps, schema_editor):
    from posts import content

    Post = apps.get_model("posts", "Post")
    limits = dict.fromkeys(LIMITS, UNLIMITED)
    refused = []
    posts = Post.objects.using(schema_editor.connection.alias).only("id", "content_raw").order_by("id")
    for post in posts.iterator(chunk_size=200):
        try:
            document = content.parse_document(post.content_raw, **limits)
        except content.ContentError:
            refused.append(post.pk)
            continue
        if dict(document) == post.content_raw:
            continue
        Post.objects.using(schema_editor.connection.alias).filter(pk=post.pk).update(
            content_raw=dict(document),
            content_html=content.render_html(document),
            content_text=content.plain_text(document),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    if refused:
        print(f"\n  posts left as they were (their documents do not validate): {refused}")


class Migration(migrations.Migration):
    dependencies = [("posts", "0004_slug_rule_on_the_model")]

    operations = [migrations.RunPython(sanitize_stored_content, migrations.RunPython.noop, elidable=True)]
