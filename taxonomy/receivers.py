"""Writes a post's categories and tags as ``posts.services`` saves it (see ``services.writing_post_terms``)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from posts.models import Post
from taxonomy import services


@receiver(post_save, sender=Post, dispatch_uid="taxonomy.write_pending_terms")
def write_pending_terms(sender, instance: Post, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata
        return
    pending = services.pending_terms(instance, created)
    if pending is not None:
        user, terms = pending
        services.post_terms_set(post=instance, user=user, terms=terms, new_post=created)
