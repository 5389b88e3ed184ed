"""Posts in the Django admin, under the same rules as the API.

Reaching the admin needs ``is_staff``; what a staff user may do with posts comes from the model permissions their
role group (Editor, Author, Contributor; see ``posts.migrations.0002_roles``) gives them, applied per post by
``posts.policies``. Every write goes through ``posts.services``, so slugs, rendering, version bumps and the
publishing rules are the API's. Authors and Contributors see the live posts plus their own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from posts import policies, services
from posts.forms import PostAdminForm
from posts.models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Lists, adds, edits and deletes posts; the author is the signed-in user who creates the post."""

    form = PostAdminForm
    list_display = ["title", "type", "status", "author", "published_at", "updated_at"]
    list_filter = ["status", "type", ("author", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["author"]
    search_fields = ["title", "slug", "excerpt"]
    readonly_fields = ["content_preview", "author", "created_at", "updated_at", "version"]

    def get_fieldsets(self, request: HttpRequest, obj: Post | None = None) -> list[tuple[str | None, dict]]:
        fieldsets = [(None, {"fields": ["title", "slug", "type", "excerpt", "content_raw"]})]
        if obj is not None:
            fieldsets.append(("Preview", {"fields": ["content_preview"]}))
        fieldsets += [
            ("Publishing", {"fields": ["status", "published_at"]}),
            ("Search engines", {"fields": ["meta_title", "meta_description"]}),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["author", "created_at", "updated_at", "version"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> list[str]:
        # Only users who may publish set published_at (posts.services would refuse anyone else).
        if policies.can_publish(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "published_at"]

    def get_form(self, request: HttpRequest, obj: Post | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # a class made for this request by modelform_factory, so this stays per request
        return form

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

    @admin.display(description="Rendered content")
    def content_preview(self, obj: Post) -> str:
        # content_html is never user input as such: posts.content renders it from the validated document and
        # sanitizes every text field with nh3, so it is safe to show as HTML (it is what the API serves).
        return format_html('<div class="post-preview">{}</div>', mark_safe(obj.content_html))  # noqa: S308

    def save_model(self, request: HttpRequest, obj: Post, form: PostAdminForm, change: bool) -> None:
        data = form.service_data()
        if change:
            saved = services.post_update(post_id=obj.pk, user=request.user, data=data)
        else:
            saved = services.post_create(author=request.user, data=data)
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
