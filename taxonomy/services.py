"""Category and tag writes, and the categories and tags of a post. The API and the admin both go through these.

Slugs are made from the name like posts' (``-2``, ``-3``… on a clash, also under concurrent creates). Every
change to the category tree (create, move, delete) holds one lock (``_lock_tree``), so two moves can never make a
cycle together, nor leave a path stale; categories change rarely, so writers queue there at no real cost.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Lower, Substr
from django.utils import timezone
from django.utils.text import slugify

from posts.models import Post
from taxonomy import policies
from taxonomy.models import SLUG_MAX_LENGTH, Category, Tag
from taxonomy.policies import CATEGORY, TAG
from taxonomy.settings import taxonomy_settings

_SLUG_ATTEMPTS = 50
# The key of the PostgreSQL advisory lock that serialises changes to the category tree.
_TREE_LOCK = zlib.crc32(b"polycms.taxonomy.category-tree")
# A keyword default meaning "not given" (None means something: no parent, the top level).
UNSET: Any = object()
# At most this many children are named by a refused deletion.
CHILDREN_SHOWN = 100


class HasChildren(Exception):
    """Deleting ``category`` would orphan ``children``: the caller must move them (``reparent``) or delete them."""

    def __init__(self, category: Category, children: Sequence[Category]) -> None:
        self.category = category
        self.children = list(children)
        names = ", ".join(f"“{child.name}” ({child.slug})" for child in self.children[:5])
        more = f" and {len(self.children) - 5} more" if len(self.children) > 5 else ""
        noun, them = ("subcategory", "it") if len(self.children) == 1 else ("subcategories", "them")
        super().__init__(
            f"“{category.name}” has {len(self.children)} {noun}: {names}{more}. Move or delete {them} first, or "
            f"delete “{category.name}” with reparent=<id or slug of a new parent> (reparent=0: the top level)."
        )


# ---------------------------------------------------------------------------- slugs


def slug_base(text: str, fallback: str) -> str:
    """``[a-z0-9-]`` slug of ``text``, with room for a ``-123`` suffix; ``fallback`` when nothing usable remains."""
    base = slugify(text.replace("_", " "), allow_unicode=False)[: SLUG_MAX_LENGTH - 8].strip("-")
    return base or fallback


def _next_free_slug(model: type[models.Model], base: str) -> str:
    taken = set(model.objects.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$").values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _insert_with_free_slug(obj: Category | Tag, base: str, clash: Any = None) -> None:
    """Insert ``obj`` with ``base`` as its slug, or the first free ``base-N``. An insert that loses a race for its
    slug tries the next one (never a 500); ``clash()`` is called on any other integrity error (e.g. a tag name
    taken meanwhile) to raise what it means."""
    model = type(obj)
    for _ in range(_SLUG_ATTEMPTS):
        obj.slug = _next_free_slug(model, base)
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
            return
        except IntegrityError:
            if clash is not None:
                clash()
            if model.objects.filter(slug=obj.slug).exists():
                obj.pk = None
                continue  # someone took this slug between our read and our insert: try the next one
            raise
    raise ValidationError({"slug": ["Could not allocate a unique slug; retry the request."]})


def _save_changes(obj: Category | Tag, clash: Any = None) -> None:
    obj.updated_at = timezone.now()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        if clash is not None:
            clash()
        raise ValidationError({"slug": ["This slug is already in use."]}) from None


def _posts_read_differently(model: type[Category] | type[Tag], pk: int) -> None:
    """The posts showing this category or tag (renamed, re-slugged or about to go) read differently now: a new
    version each, so their ETags change, and the post lists' (the change counter of ``posts.selectors``)."""
    links = model.posts.through.objects.filter(**{f"{model._meta.model_name}_id": pk}).values("post_id")
    Post.objects.filter(pk__in=links).update(version=F("version") + 1)


# ---------------------------------------------------------------------------- categories


def _lock_tree() -> None:
    """Serialise changes to the category tree until the transaction ends. PostgreSQL: an advisory lock (readers
    never wait); SQLite already allows one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_TREE_LOCK])


def _current(category: Category | None, field: str) -> Category | None:
    """``category`` as it is now, under the tree lock (it may have moved, or gone, since it was read)."""
    if category is None:
        return None
    try:
        return Category.objects.get(pk=category.pk)
    except Category.DoesNotExist:
        raise ValidationError({field: ["No category with this id or slug."]}) from None


def _check_depth(depth: int, field: str) -> None:
    maximum = taxonomy_settings.MAX_DEPTH
    if depth > maximum:
        raise ValidationError(
            {
                field: [
                    f"Too deep: a category may have at most {maximum} levels above it "
                    f"(POLYCMS_TAXONOMY['MAX_DEPTH']); this would put one at depth {depth}."
                ]
            }
        )


def _place(category: Category, parent: Category | None) -> None:
    """Set ``category``'s parent, path and depth for a place under ``parent`` (None: the top level)."""
    category.parent = parent
    category.tree_path = parent.descendants_prefix if parent is not None else ""
    category.depth = parent.depth + 1 if parent is not None else 0


def _move(category: Category, parent: Category | None, field: str) -> None:
    """Move ``category`` and its subtree under ``parent``: refused (422 on ``field``) when that makes a cycle or a
    category deeper than ``MAX_DEPTH``. Saves the descendants' paths; the caller saves ``category``."""
    if parent is not None and (parent.pk == category.pk or parent.tree_path.startswith(category.descendants_prefix)):
        where = "itself" if parent.pk == category.pk else f"“{parent.name}”, one of its own subcategories"
        raise ValidationError({field: [f"A category cannot move under {where}: that would make a cycle."]})
    deepest = Category.objects.descendants(category).aggregate(deepest=Max("depth"))["deepest"]
    height = 0 if deepest is None else deepest - category.depth
    new_depth = parent.depth + 1 if parent is not None else 0
    _check_depth(new_depth + height, field)
    old_prefix, shift = category.descendants_prefix, new_depth - category.depth
    _place(category, parent)
    new_prefix = category.descendants_prefix
    if new_prefix != old_prefix and height:
        Category.objects.filter(tree_path__startswith=old_prefix).update(
            tree_path=Concat(Value(new_prefix), Substr("tree_path", len(old_prefix) + 1)),
            depth=F("depth") + shift,
            updated_at=timezone.now(),
        )


def category_create(*, user, data: dict[str, Any]) -> Category:
    """Create a category from validated ``data`` (``name``; optional ``slug``, ``description``, ``parent`` (a
    ``Category`` or None), ``order``). Without a ``slug`` one is made from the name; a taken one gets ``-2``…"""
    if not policies.can_add(user, CATEGORY):
        raise PermissionDenied("You may not create categories.")
    fields = {key: value for key, value in data.items() if key in {"name", "description", "order"}}
    category = Category(**fields)
    with transaction.atomic():
        _lock_tree()
        parent = _current(data.get("parent"), "parent")
        _place(category, parent)
        _check_depth(category.depth, "parent")
        _insert_with_free_slug(category, slug_base(data.get("slug") or data.get("name", ""), "category"))
    return category


def category_update(*, category_id: int, user, data: dict[str, Any]) -> Category:
    """Apply validated ``data`` to the category; a new ``parent`` moves it with its subtree (422 for a cycle or a
    tree deeper than ``MAX_DEPTH``); a taken ``slug`` is 422."""
    if not policies.can_change(user, CATEGORY):
        raise PermissionDenied("You may not edit categories.")
    with transaction.atomic():
        _lock_tree()
        # FOR NO KEY UPDATE: posts may still be given this category (their link's key check) meanwhile.
        category = Category.objects.select_for_update(no_key=True).get(pk=category_id)
        if "parent" in data:
            parent = _current(data["parent"], "parent")
            if (parent.pk if parent else None) != category.parent_id:
                _move(category, parent, "parent")
        shown_before = (category.name, category.slug)
        for field in ("name", "slug", "description", "order"):
            if field in data:
                setattr(category, field, data[field])
        _save_changes(category)
        if (category.name, category.slug) != shown_before:
            _posts_read_differently(Category, category.pk)
    return category


def category_delete(*, category_id: int, user, reparent: Category | None = UNSET) -> None:
    """Delete the category. Its posts lose it (and a version: their ETags change), nothing else. Its children, if
    any, move under ``reparent`` (None: the top level); without ``reparent`` a category with children raises
    ``HasChildren``."""
    if not policies.can_delete(user, CATEGORY):
        raise PermissionDenied("You may not delete categories.")
    with transaction.atomic():
        _lock_tree()
        category = Category.objects.select_for_update().get(pk=category_id)
        children = list(category.children.all())
        if children:
            if reparent is UNSET:
                raise HasChildren(category, children)
            target = _current(reparent, "reparent")
            if target is not None and (
                target.pk == category.pk or target.tree_path.startswith(category.descendants_prefix)
            ):
                raise ValidationError(
                    {"reparent": ["The new parent cannot be the category deleted, nor one of its subcategories."]}
                )
            for child in children:
                _move(child, target, "reparent")
                _save_changes(child)
        _posts_read_differently(Category, category.pk)
        category.delete()


# ---------------------------------------------------------------------------- tags


def tag_named(name: str, exclude_pk: int | None = None) -> Tag | None:
    """The tag named ``name``, whatever the case (as the unique constraint compares), if any."""
    tags = Tag.objects.annotate(lower_name=Lower("name")).filter(lower_name=Lower(Value(name)))
    return tags.exclude(pk=exclude_pk).first() if exclude_pk is not None else tags.first()


def name_taken_message(taken: Tag) -> str:
    return f"A tag with this name already exists: “{taken.name}” ({taken.slug})."


def _refuse_taken_name(name: str, exclude_pk: int | None = None) -> None:
    taken = tag_named(name, exclude_pk)
    if taken is not None:
        raise ValidationError({"name": [name_taken_message(taken)]})


def _insert_tag(name: str, slug: str | None = None, description: str = "") -> Tag:
    _refuse_taken_name(name)
    tag = Tag(name=name, description=description)
    _insert_with_free_slug(tag, slug_base(slug or name, "tag"), clash=lambda: _refuse_taken_name(name))
    return tag


def tag_create(*, user, data: dict[str, Any]) -> Tag:
    """Create a tag from validated ``data`` (``name``; optional ``slug``, ``description``). A name already taken,
    whatever its case, is 422; the slug is made like a category's."""
    if not policies.can_add(user, TAG):
        raise PermissionDenied("You may not create tags.")
    return _insert_tag(data["name"], data.get("slug"), data.get("description", ""))


def tag_update(*, tag_id: int, user, data: dict[str, Any]) -> Tag:
    if not policies.can_change(user, TAG):
        raise PermissionDenied("You may not edit tags.")
    with transaction.atomic():
        tag = Tag.objects.select_for_update(no_key=True).get(pk=tag_id)
        if "name" in data:
            _refuse_taken_name(data["name"], exclude_pk=tag.pk)
        shown_before = (tag.name, tag.slug)
        for field in ("name", "slug", "description"):
            if field in data:
                setattr(tag, field, data[field])
        _save_changes(tag, clash=lambda: _refuse_taken_name(tag.name, exclude_pk=tag.pk))
        if (tag.name, tag.slug) != shown_before:
            _posts_read_differently(Tag, tag.pk)
    return tag


def tag_delete(*, tag_id: int, user) -> None:
    """Delete the tag. Its posts lose it (and a version: their ETags change), nothing else."""
    if not policies.can_delete(user, TAG):
        raise PermissionDenied("You may not delete tags.")
    with transaction.atomic():
        _posts_read_differently(Tag, tag_id)
        Tag.objects.filter(pk=tag_id).delete()


# ---------------------------------------------------------------------------- a post's categories and tags


@dataclass(frozen=True)
class NewTag:
    """A tag named while writing a post: the existing tag of that name (whatever its case), or a new one."""

    name: str


@dataclass(frozen=True)
class PostTerms:
    """What to write of a post's categories and tags: each a full list replacing the current one, or None to
    leave it as it is."""

    categories: Sequence[Category] | None = None
    tags: Sequence[Tag | NewTag] | None = None


def _tags_for(user, wanted: Iterable[Tag | NewTag]) -> list[Tag]:
    tags: dict[int, Tag] = {}
    for item in wanted:
        if isinstance(item, NewTag):
            existing = tag_named(item.name)
            if existing is None:
                if not policies.can_create_tags_inline(user):
                    raise PermissionDenied(f"You may not create tags: there is no tag named “{item.name}”.")
                try:
                    existing = _insert_tag(item.name)
                except ValidationError:  # a concurrent writer created it first: theirs is ours
                    existing = tag_named(item.name)
                    if existing is None:
                        raise
            item = existing
        tags[item.pk] = item
    return list(tags.values())


def post_terms_set(*, post, user, terms: PostTerms, new_post: bool = False) -> None:
    """Replace ``post``'s categories and/or tags (those ``terms`` gives). Changing either needs the right to attach
    them (``assign_category`` / ``assign_tag``); sending back the current set is always fine. Tags named by
    ``NewTag`` are found by name or created (``policies.can_create_tags_inline``). The caller has checked that
    ``user`` may edit the post, and holds the transaction. ``new_post``: it has none yet (no need to look).

    ``post`` then knows the sets written, as ``prefetch_related`` would have it (its webhook payload and the
    response read them without a query)."""
    for relation, model, wanted in (("categories", CATEGORY, terms.categories), ("tags", TAG, terms.tags)):
        if wanted is None:
            continue
        manager = getattr(post, relation)
        current = set() if new_post else set(manager.values_list("pk", flat=True))
        if all(isinstance(item, Category | Tag) for item in wanted) and {item.pk for item in wanted} == current:
            if new_post:
                _remember(post, relation, wanted)
            continue
        if not policies.can_assign(user, model):
            raise PermissionDenied(f"You may not change the {relation} of posts.")
        items = _tags_for(user, wanted) if model == TAG else list(wanted)
        manager.set(items)
        _remember(post, relation, items)


def _remember(post, relation: str, items: Sequence[Category | Tag]) -> None:
    """Make ``post.<relation>.all()`` answer ``items`` without a query: what ``prefetch_related`` leaves."""
    queryset = getattr(post, relation).all()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    post.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


# What the next post save in this context gets (``writing_post_terms``), read by ``taxonomy.receivers``.
_pending: ContextVar[tuple[Any, int | None, PostTerms] | None] = ContextVar("taxonomy_pending_terms", default=None)


@contextmanager
def writing_post_terms(*, user, terms: PostTerms, post_id: int | None = None) -> Iterator[None]:
    """Within it, when ``posts.services`` saves the post ``post_id`` (None: a new post), ``terms`` are written with
    ``post_terms_set``, right after the post's own row and in its transaction: before its webhook events are
    recorded (their payload includes the categories and tags) and under its row lock, after its permission and
    ``If-Match`` checks; whatever refuses the write rolls both back. A new post gets empty sets for what ``terms``
    leaves out."""
    token = _pending.set((user, post_id, terms))
    try:
        yield
    finally:
        _pending.reset(token)


def pending_terms(post, created: bool) -> tuple[Any, PostTerms] | None:
    """``(user, terms)`` waiting for ``post`` just saved (``created`` or not), if any; consumed. For a new post,
    ``terms`` has both sets (empty for what was not given)."""
    pending = _pending.get()
    if pending is None:
        return None
    user, post_id, terms = pending
    if (post_id is None and not created) or (post_id is not None and post_id != post.pk):
        return None
    _pending.set(None)
    if created:
        terms = PostTerms(categories=terms.categories or [], tags=terms.tags or [])
    return user, terms
