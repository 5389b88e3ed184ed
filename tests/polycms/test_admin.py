"""The admin site's own settings: where "View site" leads."""

from http import HTTPStatus

from django.urls import reverse


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
