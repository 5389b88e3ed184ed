"""The media library in the admin, under the API's rules: uploads go through ``media.services`` (the same checks,
re-encoding and size limit as ``POST /api/v1/media``), edits change only the alt text and caption, and an item a
post uses cannot be deleted (the page names the posts).

The list shows each item's thumbnail; the change page a preview, the file's link and its renditions. Everyone who
may upload sees the library; editing and deleting others' items takes the Editor role (``media.policies``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from api.exceptions import RequestTooLarge
from media import files, policies, selectors, services
from media.files import accepted_types
from media.models import Media
from media.settings import media_settings
from media.uploads import LimitedUploadHandler


class MediaUploadForm(forms.ModelForm):
    """The add page: a file (checked by ``media.files`` when saved), its alt text and caption."""

    upload = forms.FileField(
        label="File",
        help_text="JPEG, PNG, GIF, WebP, AVIF or PDF. Images are stored without their metadata (EXIF, GPS).",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(accepted_types())}),
    )

    class Meta:
        model = Media
        fields = ["alt_text", "caption"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})}

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            self.checked = files.check(upload)
        except files.RefusedFile as refused:
            raise forms.ValidationError(str(refused)) from None
        return upload


class MediaChangeForm(forms.ModelForm):
    class Meta:
        model = Media
        fields = ["alt_text", "caption"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})}


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "name", "type", "dimensions", "size_shown", "uploaded_by", "uploaded_on"]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["type", ("uploaded_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["uploaded_by"]
    list_per_page = 50
    search_fields = ["name", "alt_text"]
    search_help_text = "Searches names and alt texts."
    readonly_fields = ["preview", "file_link", "name", "type", "dimensions", "size_shown", "renditions_shown"]
    readonly_fields += ["uploaded_by", "created_at", "updated_at"]

    class Media:
        css = {"all": ["media/admin/media.css"]}

    # ------------------------------------------------------------------------ permissions (media.policies)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.can_view(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Media | None = None) -> bool:
        return policies.can_view(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policies.can_upload(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Media | None = None) -> bool:
        if obj is None:
            return request.user.has_perm("media.change_media")
        return policies.can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Media | None = None) -> bool:
        if obj is None:
            return request.user.has_perm("media.delete_media")
        return policies.can_delete(request.user, obj)

    # ------------------------------------------------------------------------ columns

    @admin.display(description="Uploaded", ordering="created_at")
    def uploaded_on(self, obj: Media) -> str:
        """The day only: the list's width goes to the name at 1280 px (the record's page has the time)."""
        return formats.date_format(timezone.localtime(obj.created_at), "DATE_FORMAT")

    # ------------------------------------------------------------------------ pages

    def get_fieldsets(self, request: HttpRequest, obj: Media | None = None):
        if obj is None:
            return [(None, {"fields": ["upload", "alt_text", "caption"]})]
        return [
            (None, {"fields": ["preview", "alt_text", "caption"]}),
            ("File", {"fields": ["file_link", "name", "type", "dimensions", "size_shown", "renditions_shown"]}),
            ("Record", {"fields": ["uploaded_by", "created_at", "updated_at"]}),
        ]

    def get_form(self, request: HttpRequest, obj: Media | None = None, change: bool = False, **kwargs: Any):
        kwargs["form"] = MediaChangeForm if obj is not None else MediaUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    @method_decorator(csrf_exempt)
    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        # The upload's own handler must be in place before anything reads the body, the CSRF check included; so
        # the check comes after it (Django's documented pattern for upload handlers).
        request.upload_handlers = [LimitedUploadHandler(request, limit=media_settings.MAX_UPLOAD_BYTES)]
        try:
            return self._add_view(request, form_url, extra_context)
        except RequestTooLarge as refused:  # raised as the body is read, by the CSRF check or the form
            self.message_user(request, str(refused.detail), messages.ERROR)
            return HttpResponseRedirect(request.path)

    @method_decorator(csrf_protect)
    def _add_view(self, request: HttpRequest, form_url: str, extra_context) -> HttpResponse:
        return super().add_view(request, form_url, extra_context)

    def save_form(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> Media:
        if change:
            return form.save(commit=False)
        return services.media_store(
            user=request.user,
            checked=form.checked,
            name=form.cleaned_data["upload"].name or "upload",
            alt_text=form.cleaned_data["alt_text"],
            caption=form.cleaned_data["caption"],
        )

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets, change: bool) -> None:
        pass  # no relations to save: the services wrote the item whole

    def save_model(self, request: HttpRequest, obj: Media, form: forms.ModelForm, change: bool) -> None:
        if change:
            services.media_update(
                media_id=obj.pk, user=request.user, data={"alt_text": obj.alt_text, "caption": obj.caption}
            )

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        media = self.get_object(request, object_id)
        if media is not None and request.method == "POST":
            using = list(services.posts_using(media).only("id", "title")[: services.POSTS_SHOWN])
            if using:
                titles = ", ".join(f"“{post.title}”" for post in using)
                self.message_user(request, f"“{media}” is used by {titles}: remove it from them first.", messages.ERROR)
                return HttpResponseRedirect(request.path)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Media) -> None:
        services.media_delete(media_id=obj.pk, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Media]) -> None:
        # Django has refused the whole selection already if one item is another's (without Editor) or featured.
        in_use = []
        for media in queryset:
            try:
                services.media_delete(media_id=media.pk, user=request.user)
            except services.MediaInUse:  # in a post's content
                in_use.append(media.name)
        if in_use:
            self.message_user(request, f"Kept, used by posts: {', '.join(in_use)}.", messages.WARNING)

    # ------------------------------------------------------------------------ columns

    @admin.display(description="")
    def thumbnail(self, media: Media) -> str:
        if not media.is_image:
            return format_html(
                '<span class="media-thumb media-thumb--document">{}</span>', media.mime_type.split("/")[-1]
            )
        made = media.rendition("thumbnail")
        url = selectors.file_url(made["file"] if made else media.file.name)
        return format_html('<img class="media-thumb" src="{}" alt="{}" loading="lazy">', url, media.alt_text)

    @admin.display(description="Size", ordering="size")
    def size_shown(self, media: Media) -> str:
        return filesizeformat(media.size)

    @admin.display(description="Dimensions")
    def dimensions(self, media: Media) -> str:
        return f"{media.width} x {media.height}" if media.width else "—"

    @admin.display(description="Preview")
    def preview(self, media: Media) -> str:
        if not media.is_image:
            return format_html('<a href="{}">Download {}</a>', selectors.file_url(media.file.name), media.name)
        made = media.rendition("medium")
        url = selectors.file_url(made["file"] if made else media.file.name)
        return format_html('<img class="media-preview" src="{}" alt="{}">', url, media.alt_text)

    @admin.display(description="File")
    def file_link(self, media: Media) -> str:
        url = selectors.file_url(media.file.name)
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="Renditions")
    def renditions_shown(self, media: Media) -> str:
        shown = selectors.renditions_of(media)
        if not shown:
            return "—"
        return format_html_join(
            ", ",
            "{} ({}x{}, {})",
            ((name, item["width"], item["height"], item["status"]) for name, item in shown.items()),
        )
