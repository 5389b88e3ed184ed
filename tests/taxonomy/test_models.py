"""taxonomy.models: id-or-slug lookups, the materialised path's helpers, and the database's own guards."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from taxonomy.models import Category, Tag, lookup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", {"pk": 12}),
        ("news", {"slug": "news"}),
        ("breaking-news-2", {"slug": "breaking-news-2"}),
        (str(2**63), None),  # no id is that large
        ("²", None),
        ("Not a slug", None),
        ("", None),
    ],
)
def test_a_lookup_is_an_id_a_slug_or_nothing(value, expected):
    assert lookup(value) == expected


def test_paths_name_the_ancestors_and_select_subtrees(make_category):
    top = make_category("Top")
    middle = make_category("Middle", parent=top)
    leaf = make_category("Leaf", parent=middle)
    other = make_category("Other")
    assert (leaf.tree_path, leaf.depth, leaf.ancestor_ids) == (f"{top.pk}/{middle.pk}/", 2, [top.pk, middle.pk])
    assert set(Category.objects.subtree(top)) == {top, middle, leaf}
    assert set(Category.objects.descendants(top)) == {middle, leaf}
    assert set(Category.objects.descendants(other)) == set()


def test_an_id_that_begins_another_is_not_its_ancestor(make_category):
    seven, seventy = make_category("Seven", id=7), make_category("Seventy", id=70)
    under_seventy = make_category("Under seventy", parent=seventy)
    assert under_seventy.tree_path == "70/"
    assert list(Category.objects.descendants(seven)) == []
    assert list(Category.objects.descendants(seventy)) == [under_seventy]


def test_the_database_refuses_a_tag_name_taken_in_another_case_and_orphaned_categories(make_tag, make_category):
    make_tag("Python")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="PYTHON", slug="other")
    top = make_category("Top")
    make_category("Child", parent=top)
    with pytest.raises(ProtectedError):
        top.delete()
