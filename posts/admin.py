"""Posts in the Django admin, under the same rules as the API.

Reaching the admin needs ``is_staff``; what a staff user may do with posts comes from the model permissions their
role group (Editor, Author, Contributor; see ``posts.migrations.0002_roles``) gives them, applied per post by
``posts.policies``. Every write goes through ``posts.services``, so slugs, rendering, version bumps and the
publishing rules are the API's. Authors and Contributors see the live posts plus their own.

Content is written with Editor.js (``posts.widgets``). A save carries the version the editor opened
(``PostAdminForm.if_match``), checked by ``post_update`` under its row lock: a save over a newer version, or
onto a slug another save took meanwhile, shows the form again with the reason and everything the editor entered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from posts import policies, services
from posts.forms import PostAdminForm
from posts.models import Post
from taxonomy.admin import PostTermsAdminMixin


class WriteRefused(Exception):
    """``posts.services`` refused a valid form's save (a newer version, a slug taken meanwhile); the admin's
    transaction has rolled back and the same submission is shown again with ``errors``, or, when ``stale``,
    with who changed the post since it was opened."""

    def __init__(self, errors: ValidationError | None = None, *, stale: bool = False) -> None:
        super().__init__(errors or "stale")
        self.errors = errors
        self.stale = stale


def _short_time(value: datetime | None) -> str | None:
    """``2026-12-02 14:03``: the list stays readable at 1280 px (the full time is in the title attribute)."""
    if value is None:
        return None
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        date_format(local, "DATETIME_FORMAT"),
        date_format(local, "Y-m-d H:i"),
    )


@admin.register(Post)
class PostAdmin(PostTermsAdminMixin, admin.ModelAdmin):
    """Lists, adds, edits and deletes posts; the author is the signed-in user who creates the post."""

    form = PostAdminForm
    list_display = ["title", "type", "status_badge", "author", "published", "updated"]
    list_filter = ["status", "type", ("author", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["author"]
    search_fields = ["title", "slug", "excerpt", "content_text"]
    search_help_text = "Searches titles, slugs, excerpts and text."
    date_hierarchy = "published_at"
    readonly_fields = ["content_preview", "author", "created_at", "updated_at", "updated_by", "version"]
    raw_id_fields = ["featured_media"]  # picked from the media library's list, thumbnails and all

    class Media:
        css = {"all": ["posts/admin/posts.css"]}

    def get_fieldsets(self, request: HttpRequest, obj: Post | None = None) -> list[tuple[str | None, dict]]:
        main = ["title", "slug", "type", "excerpt", "content_raw"]
        fieldsets = [
            (None, {"fields": main if obj is None else [*main, "opened_version"]}),
            self.terms_fieldset(request, obj),
        ]
        if obj is not None:
            fieldsets.append(("Preview", {"fields": ["content_preview"]}))
        fieldsets += [
            ("Featured image", {"fields": ["featured_media"]}),
            ("Publishing", {"fields": ["status", "published_at"]}),
            ("Search engines", {"fields": ["meta_title", "meta_description"]}),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["author", "created_at", "updated_at", "updated_by", "version"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> list[str]:
        # Only users who may publish set published_at (posts.services would refuse anyone else).
        if policies.can_publish(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "published_at"]

    def get_form(self, request: HttpRequest, obj: Post | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A class made for this request by modelform_factory, so these stay per request.
        form.user = request.user
        nonce = getattr(request, "csp_nonce", None)
        form.style_nonce = str(nonce) if nonce is not None else None
        refused: WriteRefused | None = getattr(request, "_posts_write_refused", None)
        if refused is not None:
            form.refused = self._stale_error(request, obj) if refused.stale and obj is not None else refused.errors
            form.refused_as_stale = refused.stale
        return form

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WriteRefused as refused:
            # Rolled back: run the view again on the same submission, whose form now reports the refusal (and
            # reads the post as it is now, so it can say who changed it).
            request._posts_write_refused = refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _stale_error(self, request: HttpRequest, post: Post) -> ValidationError:
        if post.updated_by_id is None:
            who = "Someone"
        elif post.updated_by_id == request.user.pk:
            who = "You (in another window or tab)"
        else:
            who = post.updated_by.get_full_name() or post.updated_by.get_username()
        when = timezone.localtime(post.updated_at)
        return ValidationError(
            format_html(
                "{} changed this post on {} at {}, after you opened it. Nothing was saved: your version is still "
                'in the form below. <a href="{}" target="_blank" rel="noopener">Open their version</a> in a new '
                "tab to compare, then save again to replace it with yours.",
                who,
                date_format(when, "N j, Y"),
                date_format(when, "H:i:s T"),
                reverse("admin:posts_post_change", args=[post.pk], current_app=self.admin_site.name),
            ),
            code="stale",
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.can_create(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return policies.can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return policies.can_delete(request.user, obj)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Post) -> str:
        status, label = obj.status, obj.get_status_display()
        if obj.status == Post.Status.PUBLISHED and not obj.is_live():
            status, label = "scheduled", "Scheduled"
        return format_html('<span class="post-status post-status--{}">{}</span>', status, label)

    @admin.display(description="Published", ordering="published_at", empty_value="—")
    def published(self, obj: Post) -> str | None:
        return _short_time(obj.published_at)

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, obj: Post) -> str | None:
        return _short_time(obj.updated_at)

    @admin.display(description="Rendered content")
    def content_preview(self, obj: Post) -> str:
        # content_html is never user input as such: posts.content renders it from the validated document and
        # sanitizes every text field with nh3, so it is safe to show as HTML (it is what the API serves).
        return format_html('<div class="post-preview">{}</div>', mark_safe(obj.content_html))  # noqa: S308

    def save_model(self, request: HttpRequest, obj: Post, form: PostAdminForm, change: bool) -> None:
        data = form.service_data()
        try:
            with self.writing_terms(request, form, change):
                if change:
                    saved = services.post_update(post_id=obj.pk, user=request.user, data=data, if_match=form.if_match())
                else:
                    saved = services.post_create(author=request.user, data=data)
        except services.StalePost:
            raise WriteRefused(stale=True) from None
        except ValidationError as refused:
            raise WriteRefused(refused) from None
        # The admin goes on with ``obj`` (change message, redirect): make it the row the service wrote.
        for field in Post._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        services.post_delete(post_id=obj.pk, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        with transaction.atomic():
            for post_id in queryset.values_list("pk", flat=True):
                services.post_delete(post_id=post_id, user=request.user)
