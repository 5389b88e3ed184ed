"""Who may do what with personal access tokens: one rule for the API, the admin and the commands.

- Every active user manages their **own** tokens: creates, lists and revokes them (staff in the
  admin, anyone signed in by session through ``/api/v1/tokens``). No model permission is involved.
- Seeing and revoking **other users'** tokens needs ``tokens.revoke_any_token``; superusers hold it.
- Nobody edits a token; bearer tokens never manage tokens (``permissions.RefuseBearerToken``).
"""

from __future__ import annotations


def can_manage_own_tokens(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_every_token(user) -> bool:
    """Superusers and holders of ``tokens.revoke_any_token`` see (and may revoke) everyone's tokens."""
    return can_manage_own_tokens(user) and (user.is_superuser or user.has_perm("tokens.revoke_any_token"))


def can_see_token(user, token) -> bool:
    """Whoever can see a token may also revoke it."""
    return can_manage_own_tokens(user) and (token.owner_id == user.pk or sees_every_token(user))
