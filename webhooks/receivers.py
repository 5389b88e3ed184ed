"""Signal receivers: a revoked token's webhooks stop (``tokens.services.token_revoked``)."""

from __future__ import annotations

from django.dispatch import receiver

from tokens.services import token_revoked
from webhooks import services


@receiver(token_revoked, dispatch_uid="webhooks.disable_for_revoked_token")
def disable_webhooks_of_revoked_token(sender, *, token, **kwargs) -> None:
    services.webhooks_disable_for_token(token=token)
