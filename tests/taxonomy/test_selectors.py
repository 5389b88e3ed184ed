"""taxonomy.selectors: post counts per caller, ancestors' slugs, the subtree for the tree view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from posts.models import Post
from taxonomy import selectors

pytestmark = pytest.mark.django_db


def test_post_counts_follow_what_each_caller_may_see(make_user, make_category, make_tag):
    editor, author, reader = make_user("eddie", role="Editor"), make_user("ann", role="Author"), make_user("rita")
    now = timezone.now()
    posts = [
        Post.objects.create(title="Live", slug="live", author=editor, status="published", published_at=now),
        Post.objects.create(
            title="Later", slug="later", author=editor, status="published", published_at=now + timedelta(hours=1)
        ),
        Post.objects.create(title="Archived", slug="archived", author=editor, status="archived"),
        Post.objects.create(title="Ann's draft", slug="anns", author=author),
    ]
    news, tag = make_category("News"), make_tag("Python")
    news.posts.add(*posts)
    tag.posts.add(*posts[:2])
    make_category("Empty")
    counts = {
        who: (
            dict(selectors.categories_for(user).values_list("slug", "post_count")),
            selectors.tags_for(user).get().post_count,
        )
        for who, user in (("anonymous", AnonymousUser()), ("reader", reader), ("author", author), ("editor", editor))
    }
    assert counts == {
        "anonymous": ({"news": 1, "empty": 0}, 1),
        "reader": ({"news": 1, "empty": 0}, 1),
        "author": ({"news": 2, "empty": 0}, 1),
        "editor": ({"news": 4, "empty": 0}, 2),
    }


def test_paths_read_the_missing_ancestors_in_one_query(make_category, django_assert_num_queries):
    top = make_category("Top")
    middle = make_category("Middle", parent=top)
    leaves = [make_category(f"Leaf {i}", parent=middle) for i in range(5)]
    with django_assert_num_queries(1):
        selectors.with_paths(leaves)
    assert {tuple(leaf.path) for leaf in leaves} == {("top", "middle")}
    with django_assert_num_queries(0):  # all known
        selectors.with_paths([middle], known=[top])
    assert middle.path == ["top"]


def test_a_subtree_comes_parents_first_siblings_in_order_and_bounded(make_category):
    top = make_category("Top")
    b = make_category("B", parent=top, order=1)
    a = make_category("A", parent=top, order=1)
    first = make_category("Z first", parent=top, order=0)
    deep = make_category("Deep", parent=a)
    assert [c.name for c in selectors.subtree(AnonymousUser(), top, limit=10)] == ["Z first", "A", "B", "Deep"]
    assert selectors.subtree(AnonymousUser(), top, limit=3) is None
    whole = selectors.subtree(AnonymousUser(), None, limit=10)
    assert [c.name for c in whole][:2] == ["Top", "Z first"]
    assert next(c for c in whole if c.pk == deep.pk).path == ["top", "a"]
    assert {c.pk for c in whole} == {top.pk, a.pk, b.pk, first.pk, deep.pk}
