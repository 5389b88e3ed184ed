from http import HTTPStatus

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/nope", "/admin/login/"])
def test_security_headers_on_every_response(path):
    response = Client().get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_admin_never_accepts_a_bearer_token(admin_user, make_token):
    _, plaintext = make_token(admin_user)
    response = Client().get("/admin/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")
