"""Categories and tags in the admin, in Chromium: an Editor reads the category tree (indented, siblings in their
order), reorders it from the list's order column, is told which subcategories stop a deletion, and reads the tags
with their counts; an Author picks categories and tags on the post form by typing (select2 autocomplete, each
category named by its path), names a new tag, and the API returns the post with them. No Content-Security-Policy
violation on any page. Screenshots at 1280 px go to test-artifacts/admin-taxonomy/ (git-ignored), to be looked
at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import screenshots, test_csp
from tests.browser.conftest import PASSWORD
from tests.browser.test_admin_editor import api
from tests.browser.test_csp import sign_in_to_admin
from tests.live import manage

pytestmark = pytest.mark.browser

EDITOR, WRITER = "tamsin", "tobias"  # an Editor and an Author, both staff (names no other browser test uses)
WIDTH = 1280
CATEGORIES, TAGS = "/admin/taxonomy/category/", "/admin/taxonomy/tag/"

# The people, a small shop's tree, tags with (draft) posts so counts differ, through the services as the admin does.
SETUP_SCRIPT = f"""
from django.contrib.auth.models import Group, User
from posts.models import Post
from taxonomy import services
users = {{}}
for username, role in (({EDITOR!r}, "Editor"), ({WRITER!r}, "Author")):
    users[username] = User.objects.create_user(username, f"{{username}}@example.com", {PASSWORD!r}, is_staff=True)
    users[username].groups.add(Group.objects.get(name=role))
editor = users[{EDITOR!r}]

def category(name, parent=None, order=0, description=""):
    data = {{"name": name, "parent": parent, "order": order, "description": description}}
    return services.category_create(user=editor, data=data)

electronics = category("Electronics", order=1, description="Gadgets, computers and phones.")
computers = category("Computers", electronics, order=1)
laptops = category("Laptops", computers)
category("Desktops", computers, order=1)
category("Phones", electronics, order=2)
books = category("Books", order=2)
category("Fiction", books)
category("Science", books, order=1)
names = ("Python", "Django", "Rust", "Reviews")
tags = {{name: services.tag_create(user=editor, data={{"name": name}}) for name in names}}
for i, names in enumerate((["Python", "Django"], ["Python"], ["Rust", "Reviews"])):
    # Drafts: the live server is shared with the other browser tests, whose callers list the live posts.
    post = Post.objects.create(title=f"Post {{i}}", slug=f"taxonomy-post-{{i}}", author=editor)
    laptops.posts.add(post)
    for name in names:
        tags[name].posts.add(post)
"""

violations = test_csp.violations  # the CSP violations Chromium reports on the page's console


@pytest.fixture(scope="module")
def shop(api_server) -> None:
    manage(api_server.env, "shell", "-c", SETUP_SCRIPT)


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": WIDTH, "height": 900})
    return page


def shot(page, name: str) -> Path:
    return screenshots.save(page, "admin-taxonomy", name)


def category_rows(page) -> list[tuple[str, str]]:
    """The category list's names with their depth class, top to bottom."""
    return page.eval_on_selector_all(
        "#result_list .category-name",
        "names => names.map(n => [n.className.split('--depth-')[1], n.textContent])",
    )


def indent(page, name: str) -> float:
    """Where the name's text starts, from the left of the page (after its padding and marker)."""
    return page.locator(f"#result_list .category-name:text-is('{name}')").evaluate(
        "name => { const range = document.createRange(); range.selectNodeContents(name); "
        "return range.getBoundingClientRect().x; }"
    )


def marker(page, name: str) -> str:
    """What comes before the name (CSS ::before)."""
    return page.locator(f"#result_list .category-name:text-is('{name}')").evaluate(
        "name => getComputedStyle(name, '::before').content"
    )


def test_an_editor_reads_reorders_and_cannot_orphan_the_category_tree(page, expect, api_server, shop, violations):
    base = api_server.url
    sign_in_to_admin(page, expect, base, EDITOR)
    expect(page.locator("#content-main .app-posts, #content-main caption").first).to_be_visible()
    shot(page, "index")
    page.goto(f"{base}{CATEGORIES}")
    assert category_rows(page) == [
        ["0", "Electronics"],
        ["1", "Computers"],
        ["2", "Laptops"],
        ["2", "Desktops"],
        ["1", "Phones"],
        ["0", "Books"],
        ["1", "Fiction"],
        ["1", "Science"],
    ]
    # Subcategories under a marker, each level further right; siblings aligned.
    assert [marker(page, name) for name in ("Electronics", "Computers", "Laptops")] == ["none", '"└ "', '"└ "']
    assert indent(page, "Electronics") < indent(page, "Computers") < indent(page, "Laptops")
    assert indent(page, "Computers") == indent(page, "Phones") == indent(page, "Fiction")
    expect(page.locator("#result_list tbody tr").nth(2).locator("td.field-posts_count")).to_have_text("3")
    shot(page, "category-list")

    phones = page.locator("#result_list tbody tr", has=page.locator(".category-name:text-is('Phones')"))
    phones.locator("td.field-order input").fill("0")
    page.click("#changelist-form input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert [name for _, name in category_rows(page)][:3] == ["Electronics", "Phones", "Computers"]
    shot(page, "category-list-reordered")

    page.click("#result_list .category-name:text-is('Computers')")
    expect(page.locator("#id_parent")).to_be_visible()
    options = page.eval_on_selector_all("#id_parent option", "options => options.map(o => o.textContent)")
    assert options == ["— (top level)", "Electronics", "— Phones", "Books", "— Fiction", "— Science"]
    shot(page, "category-change")

    page.goto(f"{base}{CATEGORIES}add/")
    page.fill("#id_name", "Tablets")
    page.select_option("#id_parent", label="— Phones")
    shot(page, "category-add")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    status, body = api(page, "GET", "/api/v1/categories/tablets")
    assert status == 200 and body["data"]["path"] == ["electronics", "phones"]

    page.goto(f"{base}{CATEGORIES}")
    electronics = page.locator("#result_list tbody tr", has=page.locator(".category-name:text-is('Electronics')"))
    electronics.locator("input.action-select").check()
    page.select_option("select[name=action]", "delete_selected")
    page.click("button[name=index]")
    expect(page.locator("#content")).to_contain_text("protected related objects")
    expect(page.locator("#content")).to_contain_text("Phones")
    shot(page, "category-delete-refused")

    page.goto(f"{base}{TAGS}?o=-3")
    expect(page.locator("#result_list tbody tr").first.locator("th.field-name")).to_have_text("Python")
    shot(page, "tag-list")
    page.goto(f"{base}{TAGS}add/")
    page.fill("#id_name", "PYTHON")
    page.click("input[name=_save]")
    expect(page.locator(".errorlist")).to_contain_text("A tag with this name already exists")
    shot(page, "tag-add-taken-name")
    assert violations == []


def pick(page, expect, field: str, typed: str, choice: str) -> None:
    """Type ``typed`` into the select2 picker of ``field`` and choose ``choice`` from what it offers."""
    page.click(f".field-{field} .select2-selection")
    page.keyboard.type(typed)
    option = page.locator(".select2-results__option", has_text=choice)
    expect(option).to_be_visible()
    option.click()
    expect(page.locator(f".field-{field} .select2-selection__choice", has_text=choice)).to_be_visible()


def test_an_author_picks_categories_and_tags_on_the_post_form(page, expect, api_server, shop, violations):
    base = api_server.url
    sign_in_to_admin(page, expect, base, WRITER)
    page.goto(f"{base}/admin/posts/post/add/")
    expect(page.locator(".post-editor[data-state=blocks]")).to_be_visible()
    page.fill("#id_title", "Picked in the admin")
    pick(page, expect, "post_categories", "lap", "Electronics \u203a Computers \u203a Laptops")
    pick(page, expect, "post_categories", "fic", "Books \u203a Fiction")
    pick(page, expect, "post_tags", "py", "Python")
    page.fill("#id_new_tags", "Machine learning")
    page.locator(".field-post_tags").scroll_into_view_if_needed()
    shot(page, "post-add-pickers")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    post_id = page.url.rstrip("/").split("/")[-2]
    status, body = api(page, "GET", f"/api/v1/posts/{post_id}")
    assert status == 200
    assert [c["slug"] for c in body["data"]["categories"]] == ["fiction", "laptops"]
    assert [t["name"] for t in body["data"]["tags"]] == ["Machine learning", "Python"]
    expect(page.locator(".field-post_categories .select2-selection__choice")).to_have_count(2)
    expect(page.locator(".field-post_tags .select2-selection__choice")).to_have_count(2)
    shot(page, "post-change-pickers")

    page.goto(f"{base}{CATEGORIES}")
    expect(page.locator("#result_list")).to_be_visible()
    assert page.locator("#changelist-form input[name=_save]").count() == 0  # an Author sees, changes nothing
    shot(page, "category-list-author")
    assert violations == []
