"""Categories (a tree) and tags, attached to posts.

The tree is a parent foreign key plus a materialised path: ``tree_path`` holds the ids of a category's ancestors,
top first, each followed by ``/`` (``""`` at the top, ``"4/17/"`` under 17 under 4), and ``depth`` their number.
So ancestors, descendants (``tree_path`` starting with ``"4/17/<id>/"``) and depth are read without recursion;
``taxonomy.services`` keeps both right when a category moves, under one lock for every change to the tree.

The relations to posts are declared here, on the taxonomy side (``post.categories``, ``post.tags``), so the
posts app knows nothing of taxonomy's tables.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from posts.models import parse_id, validate_post_slug

NAME_MAX_LENGTH = 100
# Room for a name's slug (at most as long as the name) and a "-123" suffix.
SLUG_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 2000
ORDER_MAX = 1_000_000
# The same rule as posts' slugs: lowercase ASCII words joined by single hyphens.
validate_slug = validate_post_slug


def lookup(value: str) -> dict | None:
    """``{"pk": …}`` for an id, ``{"slug": …}`` for a slug, None for what can be neither (no query needed)."""
    if value.isascii() and value.isdigit():
        pk = parse_id(value)
        return None if pk is None else {"pk": pk}
    return {"slug": value} if validate_slug.regex.search(value) else None


class CategoryQuerySet(models.QuerySet):
    def subtree(self, category: Category) -> CategoryQuerySet:
        """``category`` and its descendants."""
        return self.filter(Q(pk=category.pk) | Q(tree_path__startswith=category.descendants_prefix))

    def descendants(self, category: Category) -> CategoryQuerySet:
        return self.filter(tree_path__startswith=category.descendants_prefix)


class Category(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    # A CharField: SlugField would add Django's looser slug validator, with another message, beside ours.
    slug = models.CharField(max_length=SLUG_MAX_LENGTH, unique=True, validators=[validate_slug])
    description = models.TextField(blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    # PROTECT: the database never deletes a subtree by itself; taxonomy.services refuses (409) or moves children.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    order = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(ORDER_MAX)], help_text="Position among its siblings, smallest first."
    )
    tree_path = models.CharField(max_length=1000, default="", blank=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    posts = models.ManyToManyField("posts.Post", related_name="categories", blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name_plural = "categories"
        permissions = [("assign_category", "Can attach categories to posts")]
        indexes = [
            # Descendants are a prefix match (LIKE 'x/%'): PostgreSQL's varchar_pattern_ops serves it whatever the
            # database's collation; other databases ignore the operator class.
            models.Index(fields=["tree_path"], opclasses=["varchar_pattern_ops"], name="category_tree_path_idx"),
            models.Index(fields=["parent", "order", "name"], name="category_siblings_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def descendants_prefix(self) -> str:
        """The ``tree_path`` prefix of every descendant."""
        return f"{self.tree_path}{self.pk}/"

    @property
    def ancestor_ids(self) -> list[int]:
        """Top first."""
        return [int(part) for part in self.tree_path.split("/") if part]


class Tag(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH, help_text="Unique, whatever the case.")
    slug = models.CharField(max_length=SLUG_MAX_LENGTH, unique=True, validators=[validate_slug])
    description = models.TextField(blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    posts = models.ManyToManyField("posts.Post", related_name="tags", blank=True)

    class Meta:
        ordering = ["name", "id"]
        permissions = [
            ("assign_tag", "Can attach tags to posts"),
            ("create_tags_inline", "Can create tags while writing a post (POLYCMS_TAXONOMY['AUTHORS_CREATE_TAGS'])"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="tag_name_unique_ignoring_case",
                violation_error_message="A tag with this name already exists (whatever the case).",
            )
        ]

    def __str__(self) -> str:
        return self.name
