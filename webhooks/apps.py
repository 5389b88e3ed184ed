from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Settings"  # as tokens': the breadcrumbs read "Settings > Webhooks", not "Webhooks > Webhooks"

    def ready(self) -> None:
        from webhooks import receivers  # noqa: F401  (connects the tokens app's revocation signal)
