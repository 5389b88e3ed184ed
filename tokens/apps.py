from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = "Settings"  # the admin reads "Settings > API tokens", as in the product docs
