"""The ``POLYCMS_POSTS`` settings dict, with its defaults."""

from polycms.conf import AppSettings

posts_settings = AppSettings(
    "POLYCMS_POSTS",
    {
        # Limits on an Editor.js document (content_raw).
        "CONTENT_MAX_BYTES": 512 * 1024,
        "CONTENT_MAX_BLOCKS": 1000,
        "CONTENT_MAX_STRING_LENGTH": 100_000,
        # Items per page of a post list that includes content_raw or content_html (?fields=...): a post's content
        # can be several times CONTENT_MAX_BYTES once rendered, so this bounds such a response (README, Posts).
        "MAX_CONTENT_PAGE_SIZE": 20,
    },
)
