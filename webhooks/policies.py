"""Who may do what with webhooks: one rule for the API and the admin, the same as for tokens.

- Every active user manages their **own** webhooks: creates, lists, pings, redelivers, disables and deletes
  them (staff in the admin, anyone through ``/api/v1/hooks``, by session or with a token holding
  ``webhooks:read`` / ``webhooks:write``).
- Seeing and managing **other users'** webhooks needs ``webhooks.manage_any_webhook``; superusers hold it.
- A webhook acts with its owner's permissions, like a token: it receives events only about posts its owner may
  read (``can_receive``), checked when each event is dispatched.
"""

from __future__ import annotations


def can_manage_own_webhooks(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_every_webhook(user) -> bool:
    """Superusers and holders of ``webhooks.manage_any_webhook`` see (and may manage) everyone's webhooks."""
    return can_manage_own_webhooks(user) and (user.is_superuser or user.has_perm("webhooks.manage_any_webhook"))


def can_see_webhook(user, webhook) -> bool:
    """Whoever can see a webhook may also manage it."""
    return can_manage_own_webhooks(user) and (webhook.owner_id == user.pk or sees_every_webhook(user))


def can_receive(owner, *, author_id: int | None, public: bool) -> bool:
    """Whether ``owner`` may read a post by ``author_id`` that is (``public``) or is not live: the rule of
    ``posts.models.PostQuerySet.visible_to`` (holders of ``posts.view_post`` read every post, others the live ones
    and their own). An inactive owner receives nothing."""
    if not owner.is_active:
        return False
    return public or author_id == owner.pk or owner.has_perm("posts.view_post")
