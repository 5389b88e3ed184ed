"""Settings for the worker processes the webhooks tests start: the project's, with claims that expire in seconds
(so a killed worker's delivery is found again within the test) and a short timeout to match."""

from polycms.settings import *  # noqa: F403
from polycms.settings import POLYCMS_WEBHOOKS

POLYCMS_WEBHOOKS = {
    **POLYCMS_WEBHOOKS,
    "TIMEOUT": 2,
    "LEASE_SECONDS": 8,
    "UPKEEP_INTERVAL": 0.5,
    "UPKEEP_GRACE": 1,
    "DISPATCH_INTERVAL": 0.1,
}
