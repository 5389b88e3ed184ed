"""Token abilities: what a token may do *within* its owner's permissions (never beyond them).

``*`` everything the owner may do; ``read`` safe methods on every resource; ``<resource>:read`` safe
methods on one resource; ``<resource>:write`` reads and writes on one resource.
"""

from __future__ import annotations

from collections.abc import Iterable

ALL = "*"
READ = "read"

ABILITIES: dict[str, str] = {
    ALL: "Everything the owner may do",
    READ: "Read-only access to everything the owner may read",
    "media:read": "Read the media library",
    "media:write": "Upload, edit and delete media (includes media:read)",
    "posts:read": "Read posts",
    "posts:write": "Create, edit and delete posts (includes posts:read)",
    "taxonomy:read": "Read categories and tags",
    "taxonomy:write": "Create, edit and delete categories and tags (includes taxonomy:read)",
    "user:read": "Read the owner's profile (/api/v1/user)",
    "webhooks:read": "List the owner's webhooks and their deliveries (/api/v1/hooks)",
    "webhooks:write": "Create, ping, redeliver and delete the owner's webhooks (includes webhooks:read)",
}
DEFAULT_ABILITIES = [ALL]


def unknown_abilities(abilities: Iterable[str]) -> list[str]:
    return sorted(set(abilities) - ABILITIES.keys())


def normalize(abilities: Iterable[str]) -> list[str]:
    """Sorted, de-duplicated; ``*`` absorbs everything else. Raises ValueError on unknown abilities or
    an empty list."""
    wanted = {ability.strip() for ability in abilities if ability and ability.strip()}
    unknown = unknown_abilities(wanted)
    if unknown:
        raise ValueError(f"Unknown abilities: {', '.join(unknown)}. Known: {', '.join(ABILITIES)}.")
    if not wanted:
        raise ValueError("A token needs at least one ability.")
    return [ALL] if ALL in wanted else sorted(wanted)


def grants(abilities: Iterable[str], resource: str, *, write: bool) -> bool:
    """Whether ``abilities`` allow a read (or a write) of ``resource``."""
    held = set(abilities)
    if ALL in held or f"{resource}:write" in held:
        return True
    return not write and (READ in held or f"{resource}:read" in held)
