from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API v1"

    def ready(self) -> None:
        from api import schema, signin  # noqa: F401  (OpenAPI authentication extensions; sign-in audit)
