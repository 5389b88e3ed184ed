"""Fixtures of the taxonomy tests: role users whose groups hold the taxonomy permissions too (a transactional
test's flush drops the groups the data migrations made), and category and tag factories."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, Permission, User

from posts import roles as post_roles
from taxonomy import roles as taxonomy_roles
from taxonomy.models import Category, Tag
from taxonomy.services import slug_base


@pytest.fixture
def make_user(make_user) -> Callable[..., User]:
    def make(username: str = "alice", *, role: str | None = None, **extra) -> User:
        if role and not Group.objects.filter(name=role, permissions__content_type__app_label="taxonomy").exists():
            post_roles.sync_roles(Group, Permission)
            taxonomy_roles.sync_roles(Group, Permission)
        return make_user(username, role=role, **extra)

    return make


@pytest.fixture
def make_category(db) -> Callable[..., Category]:
    """A category saved directly (no permission needed): ``make_category("Laptops", parent=computers)``."""

    def make(name: str, *, parent: Category | None = None, **fields) -> Category:
        return Category.objects.create(
            name=name,
            slug=fields.pop("slug", None) or slug_base(name, "category"),
            parent=parent,
            tree_path=parent.descendants_prefix if parent is not None else "",
            depth=parent.depth + 1 if parent is not None else 0,
            **fields,
        )

    return make


@pytest.fixture
def make_tag(db) -> Callable[..., Tag]:
    def make(name: str, **fields) -> Tag:
        return Tag.objects.create(name=name, slug=fields.pop("slug", None) or slug_base(name, "tag"), **fields)

    return make
