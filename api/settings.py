"""The ``POLYCMS_API`` settings dict, with its defaults."""

from polycms.conf import AppSettings

api_settings = AppSettings(
    "POLYCMS_API",
    {
        # Request bodies larger than this answer 413 request_too_large before anything parses them.
        "MAX_BODY_BYTES": 1024 * 1024,
        "DEFAULT_PAGE_SIZE": 20,
        "MAX_PAGE_SIZE": 100,
    },
)
