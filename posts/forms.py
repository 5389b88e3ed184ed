"""The admin's post form: the Editor.js document, validated as the API validates it, and the version the editor
opened, so that a save over someone else's newer changes is refused instead of silently undoing them."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from api.conditional import EntityTag, IfMatch
from posts import content, services
from posts.models import Post, empty_document
from posts.widgets import BlockProblem, EditorJSWidget

# How the editor names each block type (the toolbox's names, where Editor.js has one).
BLOCK_NAMES = {
    "paragraph": "Text",
    "header": "Heading",
    "list": "List",
    "checklist": "Checklist",
    "quote": "Quote",
    "code": "Code",
    "delimiter": "Delimiter",
    "image": "Image",
    "table": "Table",
    "embed": "Embed",
    "warning": "Warning",
}
# Field names of block data as an editor knows them; others are shown as they are.
FIELD_NAMES = {
    "text": "text",
    "level": "heading level",
    "style": "list style",
    "meta.start": "start number",
    "meta.counterType": "counter type",
    "meta.checked": "checkbox",
    "checked": "checkbox",
    "caption": "caption",
    "alignment": "alignment",
    "file.url": "image URL",
    "url": "image URL",
    "file": "image",
    "withHeadings": "headings",
    "service": "embed service",
    "source": "embedded page's URL",
    "embed": "embed URL",
}
DOCUMENT_FIELDS = {"time": "The document's time", "version": "The document's Editor.js version"}
_BLOCK = re.compile(r"blocks\[(\d+)\](?:\.(.*))?")
_INDEX = re.compile(r"\.?(items|content)?\[(\d+)\]")


class EditorJSDocumentField(forms.Field):
    """An Editor.js document, edited with Editor.js over a JSON textarea (``EditorJSWidget``).

    Cleans to the normalized document of ``posts.content.parse_document`` under the ``POLYCMS_POSTS`` limits; a
    blank value is the empty document. Each problem is one error saying where it is in words an editor knows,
    then where in the JSON, e.g. ``Block 3 (Heading), heading level: Must be an integer from 1 to 6.
    (blocks[2].data.level)``; the problems inside blocks also go to the widget, which shows them by their blocks.
    """

    widget = EditorJSWidget

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):  # text as submitted, shown again unchanged when the form has errors
            return value
        return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)

    def to_python(self, value: Any) -> dict[str, Any]:
        try:
            return services.content_parse(value)
        except content.ContentError as exc:
            problems = located_problems(exc.errors, value)
            self.widget.problems = [BlockProblem(block, local) for block, local, _ in problems if block is not None]
            raise ValidationError([message for _, _, message in problems]) from None


def located_problems(errors: dict[str, list[str]], submitted: Any) -> list[tuple[int | None, str, str]]:
    """``(block index or None, message without the block, full message)`` for each problem of a refused
    document, in the validator's order; ``submitted`` is the document as sent, to name the blocks' types."""
    blocks = _submitted_blocks(submitted) if any(location.startswith("blocks[") for location in errors) else []
    located = []
    for location, messages in errors.items():
        block_match = _BLOCK.fullmatch(location)
        for message in messages:
            if block_match is None:
                where = "" if location == "document" else DOCUMENT_FIELDS.get(location, location)
                text = f"{where}: {message}" if where else message
                located.append((None, text, text))
                continue
            index, path = int(block_match[1]), block_match[2] or ""
            field = _field_words(path)
            local = f"{field[0].upper()}{field[1:]}: {message}" if field else message
            block = f"Block {index + 1}{_block_name(blocks, index)}"
            located.append((index, local, f"{block}{', ' + field if field else ''}: {message} ({location})"))
    return located


def _submitted_blocks(submitted: Any) -> list[Any]:
    try:
        document = json.loads(submitted) if isinstance(submitted, str) else submitted
    except ValueError:
        return []
    blocks = document.get("blocks") if isinstance(document, dict) else None
    return blocks if isinstance(blocks, list) else []


def _block_name(blocks: list[Any], index: int) -> str:
    block = blocks[index] if index < len(blocks) else None
    kind = block.get("type") if isinstance(block, dict) else None
    return f" ({BLOCK_NAMES[kind]})" if kind in BLOCK_NAMES else ""


def _field_words(path: str) -> str:
    """``data.items[1].content`` → ``item 2, text``; ``data.content[2][0]`` → ``row 3, cell 1``."""
    if path in ("", "data"):
        return ""
    if not path.startswith("data."):
        return path  # "type", "id", "tunes"
    words = []
    rest = path.removeprefix("data.")
    table = rest.startswith("content[")
    while match := _INDEX.search(rest):
        words.append(f"{'row' if table and match[1] else 'cell' if table else 'item'} {int(match[2]) + 1}")
        rest = rest[: match.start()] + rest[match.end() :]
    rest = rest.strip(".")
    if rest:
        words.append(FIELD_NAMES.get(rest, "text" if rest in ("content", "title", "message") and words else rest))
    return ", ".join(words)


SLUG_FIELD = Post._meta.get_field("slug")


class PostAdminForm(forms.ModelForm):
    """A post as ``PostAdmin`` edits it; ``service_data()`` is what goes to ``post_create`` / ``post_update``,
    ``if_match()`` the version the editor opened.

    ``PostAdmin.get_form`` sets, for its request: ``user``, who saves (a change that publishes, schedules,
    unpublishes or sets ``published_at`` without ``posts.publish_post`` is an error on the field that makes
    it, since ``posts.services`` would refuse it); ``style_nonce``, the response's CSP nonce, for the editor;
    and ``refused``, the errors of a save of this same submission that ``posts.services`` refused (a newer
    version, a slug taken meanwhile), so the form is shown again with them and with everything the editor
    entered. After a refusal for a newer version, ``opened_version`` moves to it: saving again replaces it.
    The slug is optional on creation, and a taken one gets the next free suffix, as in the API.
    """

    user = None
    style_nonce: str | None = None
    refused: ValidationError | None = None
    refused_as_stale = False

    # The model field's validators are the slug rule; optional on creation, post_create makes one from the title.
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
        help_text=(
            "Type; the + at the left of a line adds a heading, list, quote, table, image (uploaded, from the media "
            "library or by address)… Select text to make it bold, italic or a link. Paste a YouTube or Vimeo link on "
            "an empty line to embed it. “View JSON” shows the Editor.js document itself. It is checked and rendered to "
            "HTML on save, as the API does."
        ),
    )
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Post
        fields = [
            "title",
            "slug",
            "type",
            "excerpt",
            "content_raw",
            "featured_media",
            "status",
            "published_at",
            "meta_title",
            "meta_description",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["content_raw"].widget.style_nonce = self.style_nonce
        if not self.instance._state.adding:
            self.fields["opened_version"].initial = self.instance.version
            self.fields["slug"].required = True  # a post keeps a slug; a blank one would be stored as ""
            self.fields["slug"].help_text = "Renaming changes the post's public URL."

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        post = None if self.instance._state.adding else self.instance
        changes = self.service_data()
        if self.user is not None:
            try:
                services.check_publishing(self.user, post, changes)
            except services.PublishingDenied as denied:
                self.add_error(denied.field, str(denied))
        if self.refused is not None:
            self._add_refusal(self.refused)
        return cleaned_data

    def _add_refusal(self, refused: ValidationError) -> None:
        fields = refused.error_dict.items() if hasattr(refused, "error_dict") else [(None, refused.error_list)]
        for field, errors in fields:
            if field not in self.errors:  # validate_unique may already have seen the slug the service refused
                self.add_error(field, errors)
        if self.refused_as_stale:
            self.data = self.data.copy()
            self.data[self.add_prefix("opened_version")] = str(self.instance.version)

    def validate_unique(self) -> None:
        if self.instance._state.adding:
            return  # the slug is the only unique field, and post_create allocates a free one
        super().validate_unique()

    def service_data(self) -> dict[str, Any]:
        """The validated post fields to write: all of them on creation (post_create makes a blank slug from the
        title), only the changed ones on update."""
        names = [name for name in self._meta.fields if name in self.cleaned_data]
        if not self.instance._state.adding:
            names = [name for name in names if name in self.changed_data]
        return {name: self.cleaned_data[name] for name in names}

    def if_match(self) -> IfMatch | None:
        """The version the editor opened as the precondition of ``post_update``; None when the form did not
        carry one (then the last write wins, as without If-Match in the API)."""
        version = self.cleaned_data.get("opened_version")
        if self.instance._state.adding or version is None:
            return None
        return IfMatch((EntityTag(Post(pk=self.instance.pk, version=version).etag),))
