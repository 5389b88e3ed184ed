"""The ``POLYCMS_POSTS`` settings dict, with its defaults."""

from polycms.conf import AppSettings

posts_settings = AppSettings(
    "POLYCMS_POSTS",
    {
        # Limits on an Editor.js document (content_raw). Besides its size, they bound the work one document
        # costs to validate, sanitize and render, so the costliest document they accept is still created
        # quickly (see the worst-case create in `make bench`). A long article stays well inside them.
        "CONTENT_MAX_BYTES": 512 * 1024,  # of its UTF-8 JSON
        "CONTENT_MAX_BLOCKS": 1000,
        "CONTENT_MAX_STRING_LENGTH": 100_000,  # of every string anywhere in it
        "CONTENT_MAX_TABLE_CELLS": 5_000,  # in all its tables together
        "CONTENT_MAX_LIST_ITEMS": 1_000,  # in all its lists together, nested and checklist items included
        # Over its inline-HTML text fields (everything but code): their total length, and their markup
        # characters ("<", "&" and no-break spaces), which is what makes sanitizing expensive, in total and
        # in any one field.
        "CONTENT_MAX_TEXT_LENGTH": 300_000,
        "CONTENT_MAX_MARKUP": 3_000,
        "CONTENT_MAX_FIELD_MARKUP": 500,
        # Items per page of a post list that includes content_raw or content_html (?fields=...): a post's content
        # can be several times CONTENT_MAX_BYTES once rendered, so this bounds such a response (README, Posts).
        "MAX_CONTENT_PAGE_SIZE": 20,
    },
)
