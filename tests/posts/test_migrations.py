"""Data migrations of posts, run forward on a real schema."""

import pytest

from tests.migrations import migrate

# The schema is migrated back to the latest after each test (tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_schema_afterwards")]

BEFORE = ("posts", "0004_slug_rule_on_the_model")
AFTER = ("posts", "0005_sanitize_stored_content")


def test_stored_documents_with_live_markup_are_cleaned_and_clean_ones_untouched(user):
    apps = migrate(BEFORE)
    Post = apps.get_model("posts", "Post")
    hostile = {
        "blocks": [{"type": "paragraph", "data": {"text": 'Hi <img src=x onerror="alert(1)"><b onclick="x()">b</b>'}}]
    }
    clean = {"blocks": [{"type": "paragraph", "data": {"text": "Plain <b>bold</b>"}}]}
    # Over today's block limit, saved when the limit was higher: cleaned, not refused.
    long = {"blocks": [{"type": "paragraph", "data": {"text": "<i onmouseover=x()>p</i>"}}] * 600}
    old = {
        name: Post.objects.create(title=name, slug=name, author_id=user.pk, content_raw=document, version=1)
        for name, document in [("hostile", hostile), ("clean", clean), ("long", long)]
    }
    Post = migrate(AFTER).get_model("posts", "Post")  # the model at 0005: later migrations add columns
    hostile_after = Post.objects.get(pk=old["hostile"].pk)
    assert hostile_after.content_raw["blocks"][0]["data"]["text"] == "Hi <b>b</b>"
    assert "onerror" not in hostile_after.content_html and "onclick" not in hostile_after.content_html
    assert hostile_after.version == 2
    clean_after = Post.objects.get(pk=old["clean"].pk)
    assert (clean_after.content_raw, clean_after.version) == (clean, 1)
    long_after = Post.objects.get(pk=old["long"].pk)
    assert len(long_after.content_raw["blocks"]) == 600
    assert long_after.content_raw["blocks"][0]["data"]["text"] == "<i>p</i>"
