"""polycms.messages: the messages framework serves the admin, not the API."""

import pytest
from django.core import checks


@pytest.mark.django_db
def test_api_requests_get_no_message_storage_and_admin_requests_do(client):
    api = client.get("/api/v1/health")
    admin = client.get("/admin/login/")
    assert api.status_code == 200 and admin.status_code == 200
    assert not hasattr(api.wsgi_request, "_messages")
    assert hasattr(admin.wsgi_request, "_messages")


def test_the_admin_accepts_it_as_its_messages_middleware():
    assert not [message for message in checks.run_checks() if message.id == "admin.E409"]
