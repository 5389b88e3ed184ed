"""The admin's post form: the Editor.js document edited as JSON text and validated as the API validates it."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from posts import content, services
from posts.models import Post, empty_document


class EditorJSDocumentField(forms.Field):
    """An Editor.js document shown as pretty-printed JSON in a monospace textarea.

    Cleans to the normalized document of ``posts.content.parse_document`` under the ``POLYCMS_POSTS`` limits; a blank
    value is the empty document. Each problem is one error that starts with its location, e.g.
    ``blocks[2].type: Unknown block type 'foo'.``
    """

    widget = forms.Textarea(attrs={"class": "vLargeTextField editorjs-json", "rows": 20, "spellcheck": "false"})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):  # text as submitted, shown again unchanged when the form has errors
            return value
        return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)

    def to_python(self, value: Any) -> dict[str, Any]:
        try:
            return services.content_parse(value)
        except content.ContentError as exc:
            raise ValidationError(
                [f"{location}: {message}" for location, messages in exc.errors.items() for message in messages]
            ) from None


SLUG_FIELD = Post._meta.get_field("slug")


class PostAdminForm(forms.ModelForm):
    """A post as ``PostAdmin`` edits it; ``service_data()`` is what goes to ``post_create`` / ``post_update``.

    ``user`` is who saves (``PostAdmin.get_form`` sets it): a change that publishes, schedules, unpublishes or
    sets ``published_at`` without ``posts.publish_post`` is an error on the field that makes it, since
    ``posts.services`` would refuse it. The slug is optional on creation, and a taken one gets the next free
    suffix, as in the API.
    """

    user = None

    # The model field's validators are the slug rule; optional here, post_create makes one from the title.
    slug = forms.CharField(
        max_length=SLUG_FIELD.max_length,
        validators=SLUG_FIELD.validators,
        required=False,
        help_text="Leave blank to make one from the title. On creation a taken slug gets a -2, -3… suffix.",
    )

    excerpt = forms.CharField(
        required=False,
        max_length=services.EXCERPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"class": "vLargeTextField"}),  # the admin's own widget for text
    )
    content_raw = EditorJSDocumentField(
        label="Content",
        required=False,
        initial=empty_document,
        help_text="The Editor.js document as JSON. It is validated and rendered to HTML on save.",
    )

    class Meta:
        model = Post
        fields = [
            "title",
            "slug",
            "type",
            "excerpt",
            "content_raw",
            "status",
            "published_at",
            "meta_title",
            "meta_description",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        post = None if self.instance._state.adding else self.instance
        changes = self.service_data()
        if self.user is not None:
            try:
                services.check_publishing(self.user, post, changes)
            except services.PublishingDenied as denied:
                self.add_error(denied.field, str(denied))
        return cleaned_data

    def validate_unique(self) -> None:
        if self.instance._state.adding:
            return  # the slug is the only unique field, and post_create allocates a free one
        super().validate_unique()

    def service_data(self) -> dict[str, Any]:
        """The validated fields to write: all of them on creation (post_create makes a blank slug from the
        title), only the changed ones on update."""
        if self.instance._state.adding:
            return dict(self.cleaned_data)
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}
