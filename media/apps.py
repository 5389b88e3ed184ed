from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = "Content"  # as posts' and taxonomy's: the admin's breadcrumbs read "Content > Media"
