"""Invalid filter values are 422 errors that list the valid ones."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=live", "live is not a valid choice. Valid choices: draft, published, archived."),
        ("type=article", "article is not a valid choice. Valid choices: post, page."),
        (
            "ordering=title,-date",
            "-date is not a valid choice. Valid choices: created_at, -created_at, updated_at, -updated_at, "
            "published_at, -published_at, title, -title, id, -id.",
        ),
    ],
)
def test_invalid_choice_lists_the_valid_values(query, message, editor, token_client):
    response = token_client(editor).get(f"/api/v1/posts?{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    (name,) = response.json()["error"]["details"]
    assert response.json()["error"]["details"][name] == [message]
