"""Reads of categories and tags: their ``post_count`` (the posts the caller may see: only live ones for anonymous
callers), category paths (ancestor slugs) and the tree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from posts.models import Post
from taxonomy.models import Category, Tag


def _post_count(user, relation: str) -> Coalesce:
    """How many posts ``user`` may see (``Post.objects.visible_to``) have the outer category or tag: a subquery
    per row, so a page costs what its own categories' posts do, not the whole table's."""
    posts = (
        Post.objects.visible_to(user)
        .filter(**{relation: OuterRef("pk")})
        .order_by()
        .values(relation)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(posts, output_field=IntegerField()), 0)


def categories_for(user) -> QuerySet[Category]:
    """Every category, each with ``post_count`` for ``user``."""
    return Category.objects.annotate(post_count=_post_count(user, "categories"))


def tags_for(user) -> QuerySet[Tag]:
    """Every tag, each with ``post_count`` for ``user``."""
    return Tag.objects.annotate(post_count=_post_count(user, "tags"))


def with_paths(categories: Sequence[Category], known: Iterable[Category] = ()) -> Sequence[Category]:
    """Set ``path`` (the slugs of its ancestors, top first) on each of ``categories``. The ancestors not among
    them, nor ``known``, are read in one query."""
    slugs = {category.pk: category.slug for category in (*categories, *known)}
    missing = {pk for category in categories for pk in category.ancestor_ids if pk not in slugs}
    if missing:
        slugs.update(Category.objects.filter(pk__in=missing).values_list("pk", "slug"))
    for category in categories:
        category.path = [slugs[pk] for pk in category.ancestor_ids if pk in slugs]
    return categories


def subtree(user, root: Category | None, limit: int) -> list[Category] | None:
    """The descendants of ``root`` (None: every category), parents before their children and siblings in their
    order (``order``, ``name``), with ``path`` and ``post_count``; None when there are more than ``limit``."""
    categories = categories_for(user)
    if root is not None:
        categories = categories.descendants(root)
    found = list(categories.order_by("depth", "order", "name", "id")[: limit + 1])
    if len(found) > limit:
        return None
    return list(with_paths(found, [root] if root is not None else []))
