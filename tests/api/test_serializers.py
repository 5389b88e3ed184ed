"""Input is taken exactly as sent or refused: unknown fields, incomplete PUTs, invalid choices."""

from http import HTTPStatus

import pytest
from rest_framework import serializers

from api.serializers import ChoiceField, StrictFieldsMixin
from posts.models import Post
from tokens.models import PersonalAccessToken

pytestmark = pytest.mark.django_db


class Thing(StrictFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    colour = ChoiceField(choices=["red", "green"], required=False)


def errors_of(serializer) -> dict:
    assert not serializer.is_valid()
    return serializer.errors


def test_unknown_field_is_named_with_the_writable_fields():
    errors = errors_of(Thing(data={"name": "x", "nmae": "y"}))
    assert errors == {"nmae": ["Unknown field. Writable fields: name, colour."]}


def test_unknown_fields_are_reported_with_the_other_errors():
    errors = errors_of(Thing(data={"nmae": "y"}))
    assert set(errors) == {"nmae", "name"}


def test_read_only_fields_are_known_and_ignored():
    serializer = Thing(data={"id": 5, "name": "x"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"name": "x"}


def test_full_update_needs_every_writable_field_and_partial_does_not():
    errors = errors_of(Thing(instance=object(), data={"name": "x"}))
    assert errors == {"colour": ["A full update (PUT) sends every writable field; use PATCH to change only some."]}
    assert Thing(instance=object(), data={"name": "x"}, partial=True).is_valid()


def test_invalid_choice_lists_the_valid_ones_and_shortens_the_input():
    assert errors_of(Thing(data={"name": "x", "colour": "blue"})) == {
        "colour": ['"blue" is not a valid choice. Valid choices: red, green.']
    }
    message = errors_of(Thing(data={"name": "x", "colour": "b" * 500}))["colour"][0]
    assert len(message) < 120


def test_post_with_a_misspelt_content_field_is_refused_and_nothing_is_created(editor, token_client):
    body = {"title": "Hello", "body": {"blocks": [{"type": "paragraph", "data": {"text": "Hi"}}]}}
    response = token_client(editor).post("/api/v1/posts", body, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    (message,) = response.json()["error"]["details"]["body"]
    assert message.startswith("Unknown field. Writable fields: type, title, slug, excerpt, content_raw, status")
    assert not Post.objects.exists()


def test_post_choices_list_their_valid_values(editor, token_client):
    response = token_client(editor).post("/api/v1/posts", {"title": "x", "status": "live", "type": "article"})
    details = response.json()["error"]["details"]
    assert details["status"] == ['"live" is not a valid choice. Valid choices: draft, published, archived.']
    assert details["type"] == ['"article" is not a valid choice. Valid choices: post, page.']


def test_token_with_an_unsupported_expiry_field_is_refused_not_made_eternal(editor, session_client):
    response = session_client(editor).post("/api/v1/tokens", {"name": "Zapier", "expires_in": 30}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "expires_at" in response.json()["error"]["details"]["expires_in"][0]
    assert not PersonalAccessToken.objects.exists()


def test_token_ability_choices_list_the_valid_ones(editor, session_client):
    response = session_client(editor).post("/api/v1/tokens", {"name": "Z", "abilities": ["posts:rwx"]}, format="json")
    (message,) = response.json()["error"]["details"]["abilities[0]"]
    assert message.startswith('"posts:rwx" is not a valid choice. Valid choices: *, ')


def test_login_refuses_unknown_fields(editor, api_client):
    body = {"username": editor.username, "password": "correct horse battery staple", "remember": True}
    response = api_client.post("/api/v1/auth/login", body, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert list(response.json()["error"]["details"]) == ["remember"]
