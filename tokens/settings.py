"""The ``POLYCMS_TOKENS`` settings dict, with its defaults."""

from polycms.conf import AppSettings

token_settings = AppSettings(
    "POLYCMS_TOKENS",
    {
        # last_used_at / last_used_ip are written at most once per this many seconds per token.
        "LAST_USED_WRITE_INTERVAL": 60,
        # Expiry presets (days) offered by the admin's "Create New Token" form, besides a date and "never".
        "EXPIRY_CHOICES_DAYS": [7, 30, 90, 365],
        # Active (not revoked, not expired) tokens one user may hold; creating one more is refused (422).
        "MAX_ACTIVE_PER_USER": 50,
    },
)
