"""taxonomy.services: slugs, the tree's rules (cycles, depth, moves keep paths right), deletions, tag names."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from posts.models import Post
from taxonomy import services
from taxonomy.models import Category, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user):
    return make_user("eddie", role="Editor")


def create(editor, name: str, parent: Category | None = None, **data) -> Category:
    return services.category_create(user=editor, data={"name": name, "parent": parent, **data})


def tree_state() -> dict[str, tuple[str | None, str, int]]:
    """``{slug: (parent slug, tree_path as slugs, depth)}`` as stored."""
    slugs = dict(Category.objects.values_list("pk", "slug"))
    return {
        category.slug: (
            category.parent.slug if category.parent else None,
            "/".join(slugs[pk] for pk in category.ancestor_ids),
            category.depth,
        )
        for category in Category.objects.select_related("parent")
    }


def test_slugs_come_from_names_and_clashes_get_suffixes(editor):
    slugs = [create(editor, "Home & Garden").slug for _ in range(3)]
    assert slugs == ["home-garden", "home-garden-2", "home-garden-3"]
    assert create(editor, "Other", slug="home-garden").slug == "home-garden-4"
    assert create(editor, "¿¿").slug == "category"


def test_renaming_onto_a_taken_slug_is_refused(editor):
    create(editor, "Taken")
    free = create(editor, "Free")
    with pytest.raises(ValidationError) as refused:
        services.category_update(category_id=free.pk, user=editor, data={"slug": "taken"})
    assert refused.value.message_dict == {"slug": ["This slug is already in use."]}


def test_paths_and_depths_follow_moves_of_whole_subtrees(editor):
    shop = create(editor, "Shop")
    electronics = create(editor, "Electronics", shop)
    computers = create(editor, "Computers", electronics)
    create(editor, "Laptops", computers)
    archive = create(editor, "Archive")
    services.category_update(category_id=electronics.pk, user=editor, data={"parent": archive})
    assert tree_state() == {
        "shop": (None, "", 0),
        "archive": (None, "", 0),
        "electronics": ("archive", "archive", 1),
        "computers": ("electronics", "archive/electronics", 2),
        "laptops": ("computers", "archive/electronics/computers", 3),
    }
    services.category_update(category_id=computers.pk, user=editor, data={"parent": None})
    assert tree_state()["laptops"] == ("computers", "computers", 1)
    assert tree_state()["computers"] == (None, "", 0)


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_a_move_that_would_make_a_cycle_is_refused(editor, target):
    top = create(editor, "Top")
    child = create(editor, "Child", top)
    grandchild = create(editor, "Grandchild", child)
    before = tree_state()
    new_parent = {"itself": top, "child": child, "grandchild": grandchild}[target]
    with pytest.raises(ValidationError) as refused:
        services.category_update(category_id=top.pk, user=editor, data={"parent": new_parent})
    assert "cycle" in refused.value.message_dict["parent"][0]
    assert tree_state() == before


def test_depth_is_bounded_for_new_categories_and_for_moved_subtrees(editor, settings):
    settings.POLYCMS_TAXONOMY = {"MAX_DEPTH": 3}
    chain = [create(editor, "Level 0")]
    for level in range(1, 4):
        chain.append(create(editor, f"Level {level}", chain[-1]))
    assert chain[-1].depth == 3
    with pytest.raises(ValidationError) as refused:
        create(editor, "Level 4", chain[-1])
    assert "POLYCMS_TAXONOMY['MAX_DEPTH']" in refused.value.message_dict["parent"][0]
    # A two-level subtree fits under depth 1 (its leaf lands at 3), not under depth 2.
    other = create(editor, "Other")
    create(editor, "Other child", other)
    services.category_update(category_id=other.pk, user=editor, data={"parent": chain[1]})
    with pytest.raises(ValidationError):
        services.category_update(category_id=other.pk, user=editor, data={"parent": chain[2]})
    assert Category.objects.get(slug="other-child").depth == 3


def test_a_deep_tree_of_the_default_depth_keeps_its_paths(editor):
    chain = [create(editor, "Level 0")]
    for level in range(1, 11):
        chain.append(create(editor, f"Level {level}", chain[-1]))
    leaf = Category.objects.get(pk=chain[-1].pk)
    assert leaf.depth == 10 and leaf.ancestor_ids == [category.pk for category in chain[:-1]]
    with pytest.raises(ValidationError):
        create(editor, "Level 11", leaf)
    assert set(Category.objects.subtree(chain[4])) == set(chain[4:])


def test_deleting_a_category_with_children_is_refused_naming_them(editor):
    top = create(editor, "Top")
    create(editor, "Beta", top)
    create(editor, "Alpha", top)
    with pytest.raises(services.HasChildren) as refused:
        services.category_delete(category_id=top.pk, user=editor)
    assert [child.slug for child in refused.value.children] == ["alpha", "beta"]
    assert "“Alpha” (alpha), “Beta” (beta)" in str(refused.value)
    assert Category.objects.count() == 3


def test_deleting_with_reparent_moves_the_children_and_their_subtrees(editor):
    top = create(editor, "Top")
    middle = create(editor, "Middle", top)
    leaf = create(editor, "Leaf", middle)
    create(editor, "Leaf child", leaf)
    services.category_delete(category_id=middle.pk, user=editor, reparent=top)
    assert tree_state() == {
        "top": (None, "", 0),
        "leaf": ("top", "top", 1),
        "leaf-child": ("leaf", "top/leaf", 2),
    }
    services.category_delete(category_id=top.pk, user=editor, reparent=None)
    assert tree_state() == {"leaf": (None, "", 0), "leaf-child": ("leaf", "leaf", 1)}


def test_reparenting_under_the_deleted_subtree_is_refused(editor):
    top = create(editor, "Top")
    child = create(editor, "Child", top)
    for target in (top, child):
        with pytest.raises(ValidationError) as refused:
            services.category_delete(category_id=top.pk, user=editor, reparent=target)
        assert list(refused.value.message_dict) == ["reparent"]


def test_deleting_a_category_or_tag_detaches_its_posts_and_keeps_them(editor):
    category, tag = create(editor, "News"), services.tag_create(user=editor, data={"name": "Python"})
    post = Post.objects.create(title="P", slug="p", author=editor)
    category.posts.add(post)
    tag.posts.add(post)
    services.category_delete(category_id=category.pk, user=editor)
    services.tag_delete(tag_id=tag.pk, user=editor)
    post.refresh_from_db()
    assert list(post.categories.all()) == [] and list(post.tags.all()) == []


def test_tag_names_are_unique_whatever_their_case(editor):
    python = services.tag_create(user=editor, data={"name": "Python"})
    for name in ("python", "PYTHON", "Python"):
        with pytest.raises(ValidationError) as refused:
            services.tag_create(user=editor, data={"name": name})
        assert refused.value.message_dict == {"name": ["A tag with this name already exists: “Python” (python)."]}
    other = services.tag_create(user=editor, data={"name": "Django"})
    with pytest.raises(ValidationError):
        services.tag_update(tag_id=other.pk, user=editor, data={"name": "pYthon"})
    assert services.tag_update(tag_id=python.pk, user=editor, data={"name": "PYTHON"}).name == "PYTHON"


def test_tags_whose_names_slugify_alike_get_distinct_slugs(editor):
    slugs = [services.tag_create(user=editor, data={"name": name}).slug for name in ("C++", "C#", "C")]
    assert slugs == ["c", "c-2", "c-3"]


@pytest.mark.parametrize(
    ("role", "allowed"), [("Editor", True), ("Author", False), ("Contributor", False), (None, False)]
)
def test_only_editors_manage_categories_and_tags(make_user, role, allowed):
    user = make_user("someone", role=role)
    calls = [
        lambda: services.category_create(user=user, data={"name": "C"}),
        lambda: services.tag_create(user=user, data={"name": "T"}),
    ]
    for call in calls:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    category, tag = Category.objects.first(), Tag.objects.first()
    if not allowed:
        return
    services.category_update(category_id=category.pk, user=user, data={"name": "D"})
    services.tag_delete(tag_id=tag.pk, user=user)


# ---------------------------------------------------------------------------- a post's terms


def test_post_terms_replace_the_set_and_need_the_right_to_attach(make_user, editor):
    author, stranger = make_user("ann", role="Author"), make_user("sam", is_staff=True)
    news, tips = create(editor, "News"), create(editor, "Tips")
    post = Post.objects.create(title="P", slug="p", author=author)
    services.post_terms_set(post=post, user=author, terms=services.PostTerms(categories=[news, tips]))
    assert set(post.categories.all()) == {news, tips}
    services.post_terms_set(post=post, user=author, terms=services.PostTerms(categories=[tips]))
    assert list(post.categories.all()) == [tips]
    # Sending back the current set needs nothing; changing it needs assign_category.
    services.post_terms_set(post=post, user=stranger, terms=services.PostTerms(categories=[tips]))
    with pytest.raises(PermissionDenied):
        services.post_terms_set(post=post, user=stranger, terms=services.PostTerms(categories=[]))


@pytest.mark.parametrize(
    ("role", "setting", "creates"),
    [("Editor", False, True), ("Author", True, True), ("Author", False, False), ("Contributor", True, False)],
)
def test_new_tags_by_name_follow_the_role_and_the_setting(make_user, settings, role, setting, creates):
    settings.POLYCMS_TAXONOMY = {"AUTHORS_CREATE_TAGS": setting}
    user = make_user("someone", role=role)
    existing = Tag.objects.create(name="Python", slug="python")
    post = Post.objects.create(title="P", slug="p", author=user)
    # An existing name (whatever its case) is that tag: attaching it needs no right to create.
    services.post_terms_set(post=post, user=user, terms=services.PostTerms(tags=[services.NewTag("PYTHON")]))
    assert list(post.tags.all()) == [existing]
    terms = services.PostTerms(tags=[existing, services.NewTag("Brand new")])
    if creates:
        services.post_terms_set(post=post, user=user, terms=terms)
        assert sorted(post.tags.values_list("name", flat=True)) == ["Brand new", "Python"]
    else:
        with pytest.raises(PermissionDenied) as refused:
            services.post_terms_set(post=post, user=user, terms=terms)
        assert "“Brand new”" in str(refused.value)
        assert not Tag.objects.filter(name="Brand new").exists()


def test_renaming_or_deleting_a_category_or_tag_gives_its_posts_a_new_version_only_then(editor):
    news, tag = create(editor, "News"), services.tag_create(user=editor, data={"name": "Python"})
    shown = Post.objects.create(title="Shown", slug="shown", author=editor)
    other = Post.objects.create(title="Other", slug="other", author=editor)
    news.posts.add(shown)
    tag.posts.add(shown)

    def versions() -> tuple[int, int]:
        return tuple(Post.objects.filter(pk__in=[shown.pk, other.pk]).order_by("pk").values_list("version", flat=True))

    services.category_update(category_id=news.pk, user=editor, data={"description": "Not shown in posts", "order": 3})
    services.category_update(category_id=news.pk, user=editor, data={"parent": create(editor, "Top")})
    assert versions() == (1, 1)
    services.category_update(category_id=news.pk, user=editor, data={"name": "Breaking"})
    services.tag_update(tag_id=tag.pk, user=editor, data={"slug": "py"})
    assert versions() == (3, 1)
    services.category_delete(category_id=news.pk, user=editor)
    services.tag_delete(tag_id=tag.pk, user=editor)
    assert versions() == (5, 1)
