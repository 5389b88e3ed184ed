from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Browser sign-in: ``/api/v1/auth/*`` and the password check the admin's login page shares."""

    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import services  # noqa: F401  (connects the sign-in audit receiver)
