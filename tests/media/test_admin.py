"""The media library in the admin: thumbnails, uploads under the API's checks and limit, edits, refused deletions, who
may do what."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils.formats import date_format
from django.utils.timezone import localtime

from media.models import Media
from posts.models import Post
from tests.media.conftest import image_bytes, stored_files
from tests.media.test_files import SVG_WITH_SCRIPT

pytestmark = pytest.mark.django_db

LIST = "/admin/media/media/"
ADD = "/admin/media/media/add/"


@pytest.fixture
def staff(make_user):
    def make(username: str, role: str):
        user = make_user(username, role=role, is_staff=True)
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.user = user
        return client

    return make


def csrf(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, response.status_code
    return response.context["csrf_token"]


def admin_upload(client, content: bytes, name: str = "photo.jpg", **fields):
    token = csrf(client, ADD)
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        ADD, {"upload": upload, "alt_text": "", "caption": "", "csrfmiddlewaretoken": token, **fields}, follow=True
    )


def test_an_author_uploads_and_the_list_shows_a_thumbnail(staff, jobs, django_capture_on_commit_callbacks):
    author = staff("ann", "Author")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_upload(author, image_bytes(), "Holiday.jpg", alt_text="Beach")
    assert "was added successfully" in response.content.decode()
    media = Media.objects.get()
    assert (media.name, media.alt_text, media.uploaded_by) == ("Holiday.jpg", "Beach", author.user)
    page = author.get(LIST).content.decode()
    assert f'class="media-thumb" src="http://testserver/media/{media.file.name}"' in page  # no thumbnail yet
    jobs()
    media.refresh_from_db()
    page = author.get(LIST).content.decode()
    assert f'src="http://testserver/media/{media.renditions["thumbnail"]["file"]}"' in page
    # The upload's day, not its time: at 1280 px the columns then fit beside the filters.
    assert f'<td class="field-uploaded_on">{date_format(localtime(media.created_at), "DATE_FORMAT")}</td>' in page


def test_a_refused_file_is_shown_on_the_form(staff, media_root):
    response = admin_upload(staff("ann", "Author"), SVG_WITH_SCRIPT, "logo.svg")
    assert "accepted: image/jpeg" in response.content.decode()
    assert not Media.objects.exists() and stored_files(media_root) == []


def test_an_upload_without_its_csrf_token_is_refused(staff, media_root):
    client = staff("ann", "Author")
    upload = io.BytesIO(image_bytes())
    upload.name = "a.jpg"
    assert client.post(ADD, {"upload": upload}).status_code == HTTPStatus.FORBIDDEN
    assert not Media.objects.exists()


def test_an_upload_over_the_limit_is_refused_and_nothing_stored(settings, staff, media_root):
    settings.POLYCMS_MEDIA = {"MAX_UPLOAD_BYTES": 1000}
    response = admin_upload(staff("ann", "Author"), image_bytes())
    assert "over the upload limit of 1000 bytes" in response.content.decode()
    assert not Media.objects.exists() and stored_files(media_root) == []


def test_alt_text_is_edited_and_others_items_are_read_only_to_an_author(staff, upload, session_client):
    owner = staff("ann", "Author")
    other = staff("otto", "Author")
    admin_upload(owner, image_bytes())
    media = Media.objects.get()
    change = f"/admin/media/media/{media.pk}/change/"
    token = csrf(owner, change)
    response = owner.post(change, {"alt_text": "New alt", "caption": "", "csrfmiddlewaretoken": token})
    assert response.status_code == HTTPStatus.FOUND
    assert Media.objects.get().alt_text == "New alt"
    page = other.get(change).content.decode()
    assert 'name="alt_text"' not in page  # shown, not editable
    assert other.get(f"/admin/media/media/{media.pk}/delete/").status_code == HTTPStatus.FORBIDDEN


def test_an_item_a_post_uses_is_not_deleted(staff):
    editor = staff("eddie", "Editor")
    admin_upload(editor, image_bytes())
    media = Media.objects.get()
    Post.objects.create(title="Cover story", slug="cover", author=editor.user, featured_media=media)
    delete = f"/admin/media/media/{media.pk}/delete/"
    token = csrf(editor, delete)
    response = editor.post(delete, {"post": "yes", "csrfmiddlewaretoken": token}, follow=True)
    assert "is used by “Cover story”" in response.content.decode()
    assert Media.objects.filter(pk=media.pk).exists()


def test_an_editor_deletes_an_unused_item_and_its_files(staff, media_root, django_capture_on_commit_callbacks):
    editor = staff("eddie", "Editor")
    admin_upload(staff("ann", "Author"), image_bytes())
    media = Media.objects.get()
    delete = f"/admin/media/media/{media.pk}/delete/"
    token = csrf(editor, delete)
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(delete, {"post": "yes", "csrfmiddlewaretoken": token})
    assert not Media.objects.exists() and stored_files(media_root) == []


def test_the_post_form_picks_a_featured_image(staff):
    editor = staff("eddie", "Editor")
    page = editor.get("/admin/posts/post/add/").content.decode()
    assert 'name="featured_media"' in page and "/admin/media/media/?type=image&amp;_to_field=id" in page
    assert '"mediaEndpoint": "/api/v1/media"' in page


def bulk_delete(client, names: list[str], capture):
    token = csrf(client, LIST)
    selected = list(Media.objects.filter(name__in=names).values_list("pk", flat=True))
    with capture(execute=True):
        return client.post(
            LIST,
            {"action": "delete_selected", "_selected_action": selected, "post": "yes", "csrfmiddlewaretoken": token},
            follow=True,
        )


def test_bulk_deletion_keeps_items_in_posts_content(staff, django_capture_on_commit_callbacks):
    author = staff("ann", "Author")
    admin_upload(author, image_bytes(), "mine.jpg")
    admin_upload(author, image_bytes(), "inline.jpg")
    inline = Media.objects.get(name="inline.jpg")
    content = {"blocks": [{"type": "image", "data": {"file": {"url": f"http://testserver/media/{inline.file.name}"}}}]}
    Post.objects.create(title="Inline", slug="inline", author=author.user, content_raw=content)
    response = bulk_delete(author, ["mine.jpg", "inline.jpg"], django_capture_on_commit_callbacks)
    assert "Kept, used by posts: inline.jpg." in response.content.decode()
    assert list(Media.objects.values_list("name", flat=True)) == ["inline.jpg"]


def test_bulk_deletion_of_others_or_featured_items_deletes_nothing(staff, django_capture_on_commit_callbacks):
    author = staff("ann", "Author")
    admin_upload(author, image_bytes(), "mine.jpg")
    admin_upload(staff("otto", "Author"), image_bytes(), "theirs.jpg")
    bulk_delete(author, ["mine.jpg", "theirs.jpg"], django_capture_on_commit_callbacks)
    assert Media.objects.count() == 2  # Django's own check: no permission on one, nothing deleted
    featured = Media.objects.get(name="mine.jpg")
    Post.objects.create(title="Cover", slug="cover", author=author.user, featured_media=featured)
    response = bulk_delete(author, ["mine.jpg"], django_capture_on_commit_callbacks)
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Media.objects.count() == 2
