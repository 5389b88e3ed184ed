from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "taxonomy"
    verbose_name = "Categories and tags"

    def ready(self) -> None:
        from taxonomy import receivers  # noqa: F401  (writes a post's categories and tags as the post is saved)
