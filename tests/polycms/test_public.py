"""Files served at the site root (``WHITENOISE_ROOT``, ``polycms/public/``)."""

from http import HTTPStatus


def test_favicon_is_an_icon_not_an_error(client):
    response = client.get("/favicon.ico")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/x-icon"
    assert "public" in response["Cache-Control"] and response.has_header("ETag")
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert client.head("/favicon.ico").status_code == HTTPStatus.OK
