"""The admin site: PolyCMS branding on every page, the index and sidebar grouped into sections, the
user tools' "API tokens" link, and where "View site" leads."""

import re
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts import services as signin
from polycms.admin import ADMIN_SECTIONS, group_into_sections

SITE = "PolyCMS administration"
TOKENS = reverse("admin:tokens_personalaccesstoken_changelist")


def title_and_header(response) -> tuple[str, str]:
    body = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.DOTALL).group(1).strip()
    header = re.search(r'<div id="site-name"><a [^>]*>(.*?)</a>', body, re.DOTALL).group(1).strip()
    return title, header


def user_tools(response) -> str:
    return response.content.decode().split('id="user-tools"', 1)[1].split("</div>", 1)[0]


def sections(app_list: list[dict]) -> list[tuple[str, list[str]]]:
    return [(app["name"], [model["name"] for model in app["models"]]) for app in app_list]


# ------------------------------------------------------------------------------ branding


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("admin:index", "Site administration"),
        ("admin:password_change", "Password change"),
        ("admin:password_change_done", "Password change successful"),
        ("admin:tokens_personalaccesstoken_changelist", "Select API token to view"),
        ("admin:tokens_personalaccesstoken_add", "Create New Token"),
        ("admin:app_list", "Users administration"),
    ],
)
def test_every_signed_in_page_is_branded_polycms(admin_client, page, title):
    args = {"app_label": "auth"} if page == "admin:app_list" else {}
    response = admin_client.get(reverse(page, kwargs=args))

    assert response.status_code == HTTPStatus.OK
    assert title_and_header(response) == (f"{title} | {SITE}", SITE)


def test_sign_in_and_out_pages_are_branded_polycms(client, admin_user):
    login = client.get(reverse("admin:login"))
    client.force_login(admin_user)
    logout = client.post(reverse("admin:logout"))

    assert title_and_header(login) == (f"Log in | {SITE}", SITE)
    assert title_and_header(logout) == (f"Logged out | {SITE}", SITE)


def test_locked_sign_in_page_is_branded_polycms(client, monkeypatch):
    def locked(*args, **kwargs):
        raise signin.SignInLocked(retry_after=90)

    monkeypatch.setattr(signin, "sign_in_authenticate", locked)

    response = client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert title_and_header(response) == (f"Too many failed sign-in attempts | {SITE}", SITE)


def test_django_is_not_named_in_the_header_or_title(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()

    assert "Django administration" not in body
    assert "Django site admin" not in body


# ------------------------------------------------------------------------------ sections


def test_index_groups_content_api_access_and_users(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert sections(response.context["app_list"]) == [
        ("Content", ["Posts", "Categories", "Tags", "Media"]),
        ("API access", ["API tokens", "Webhooks"]),
        ("Users", ["Users", "Groups"]),
        ("Background jobs", ["Task Results"]),
    ]
    captions = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', response.content.decode())
    assert captions == ["Content", "API access", "Users", "Background jobs"]


def test_sidebar_uses_the_same_sections(admin_client):
    response = admin_client.get(TOKENS)

    assert sections(response.context["available_apps"]) == sections(
        admin_client.get(reverse("admin:index")).context["app_list"]
    )
    sidebar = response.content.decode().split('id="nav-sidebar"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'class="section"[^>]*>([^<]+)</a>', sidebar) == [
        "Content",
        "API access",
        "Users",
        "Background jobs",
    ]
    assert 'class="app-tokens module current-app"' in sidebar


def test_a_staff_user_sees_only_the_sections_they_may_use(make_user):
    client = Client()
    client.force_login(make_user("ann", role="Author", is_staff=True))

    app_list = client.get(reverse("admin:index")).context["app_list"]

    assert [name for name, _ in sections(app_list)] == ["Content", "API access"]


def test_section_names_its_app_page(admin_client):
    response = admin_client.get(reverse("admin:app_list", kwargs={"app_label": "tokens"}))

    assert sections(response.context["app_list"]) == [("API access", ["API tokens"])]


def model(name: str, object_name: str | None = None) -> dict:
    return {"name": name, "object_name": object_name or name.rstrip("s")}


def app(label: str, name: str, *models: dict) -> dict:
    return {"app_label": label, "name": name, "app_url": f"/admin/{label}/", "models": list(models)}


def test_grouping_is_driven_by_the_mapping_and_keeps_unknown_apps():
    app_list = [
        app("auth", "Authentication and Authorization", model("Groups"), model("Users")),
        app("media", "Media", model("Files")),
        app("posts", "Content", model("Posts")),
        app("taxonomy", "Taxonomy", model("Categories", "Category"), model("Tags")),
    ]
    mapping = {
        "Content": ("posts", "taxonomy.tag"),
        "People": ("auth.user", "auth.group"),
    }

    grouped = group_into_sections(app_list, mapping)

    assert sections(grouped) == [
        ("Content", ["Posts", "Tags"]),
        ("People", ["Users", "Groups"]),
        ("Media", ["Files"]),
        ("Taxonomy", ["Categories"]),
    ]
    assert [section["app_url"] for section in grouped] == [
        "/admin/posts/",
        "/admin/auth/",
        "/admin/media/",
        "/admin/taxonomy/",
    ]
    assert app_list[0]["name"] == "Authentication and Authorization"  # Django's list is left as it was


def test_sections_leave_no_model_out(admin_client):
    grouped = admin_client.get(reverse("admin:index")).context["app_list"]

    assert set(ADMIN_SECTIONS) <= {section["name"] for section in grouped}
    listed = [model["model"] for section in grouped for model in section["models"]]
    assert sorted(listed, key=str) == sorted(admin.site._registry, key=str)


# ------------------------------------------------------------------------------ user tools


@pytest.mark.parametrize("page", [reverse("admin:index"), TOKENS, reverse("admin:posts_post_changelist")])
def test_user_tools_link_to_api_tokens_before_djangos_own_links(admin_client, page):
    tools = user_tools(admin_client.get(page))

    assert f'<a href="{TOKENS}">API tokens</a>' in tools
    assert (
        tools.index("API tokens") < tools.index("View site") < tools.index("Change password") < tools.index("Log out")
    )


# ------------------------------------------------------------------------------ view site


def view_site_link(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == HTTPStatus.OK
    return response.context["site_url"]


def test_view_site_leads_to_the_api_docs_by_default(client, admin_user, settings):
    settings.POLYCMS_FRONTEND_URL = ""
    link = view_site_link(client, admin_user)
    assert link == reverse("api:docs")
    assert client.get(link).status_code == HTTPStatus.OK  # not the 404 that / is on the API host


def test_view_site_leads_to_the_configured_frontend(client, admin_user, settings):
    settings.POLYCMS_FRONTEND_URL = "https://www.example.com/"
    assert view_site_link(client, admin_user) == "https://www.example.com/"
    assert b'href="https://www.example.com/"' in client.get(reverse("admin:index")).content
