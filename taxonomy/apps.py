from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "taxonomy"
    verbose_name = "Content"  # as posts': the admin's breadcrumbs read "Content > Categories"

    def ready(self) -> None:
        from taxonomy import receivers  # noqa: F401  (writes a post's categories and tags as the post is saved)
