"""Who may do what to a post. One set of rules for the API and the admin.

Roles are groups holding model permissions: Editor (everything), Author (own posts, may publish),
Contributor (own drafts only). Superusers hold every permission.
"""

from __future__ import annotations

from posts.models import Post

PUBLISHING_STATUSES = {Post.Status.PUBLISHED}


def can_create(user) -> bool:
    return user.has_perm("posts.add_post")


def can_publish(user) -> bool:
    return user.has_perm("posts.publish_post")


def _owns_or_may(user, post: Post, others_perm: str) -> bool:
    return post.author_id == user.pk or user.has_perm(others_perm)


def can_change(user, post: Post) -> bool:
    """Change permission on the post; someone else's post needs ``change_others_post``; a published
    post needs ``publish_post`` (a Contributor cannot edit a post once it is live)."""
    if not user.has_perm("posts.change_post") or not _owns_or_may(user, post, "posts.change_others_post"):
        return False
    return post.status != Post.Status.PUBLISHED or can_publish(user)


def can_delete(user, post: Post) -> bool:
    if not user.has_perm("posts.delete_post") or not _owns_or_may(user, post, "posts.delete_others_post"):
        return False
    return post.status != Post.Status.PUBLISHED or can_publish(user)


def publishing_change(post: Post | None, changes: dict) -> bool:
    """Whether ``changes`` publish, unpublish or (re)schedule: the acts that need ``publish_post``."""
    new_status = changes.get("status", post.status if post else Post.Status.DRAFT)
    old_status = post.status if post else Post.Status.DRAFT
    if new_status != old_status and Post.Status.PUBLISHED in {new_status, old_status}:
        return True
    return sets_published_at(post, changes) and new_status == Post.Status.PUBLISHED


def sets_published_at(post: Post | None, changes: dict) -> bool:
    """Whether ``changes`` write a new ``published_at``, whatever the status. That needs ``publish_post``
    too: a date set on a draft is kept when the draft is published, so whoever sets it dates the publication."""
    return "published_at" in changes and changes["published_at"] != (post.published_at if post else None)
