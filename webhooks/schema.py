"""The webhook payloads in the OpenAPI schema, as callbacks of ``POST /api/v1/hooks`` (OpenAPI 3.0's way of
describing requests the API makes to a URL the caller gave, here ``target_url``). OpenAPI 3.1's top-level
``webhooks`` section would need the whole document on 3.1; the schema is 3.0.3, so callbacks it is (README,
Webhooks, has the same)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiCallback

from webhooks import events as webhook_events

_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "example": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"},
        "description": "Unique per message and the same on every retry and redelivery: dedupe on it.",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "example": "1796183797"},
        "description": "Unix seconds of this attempt. Refuse messages more than 5 minutes old or ahead.",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="},
        "description": "Standard Webhooks v1: space-separated `v1,<base64 HMAC-SHA256 of "
        '"{webhook-id}.{webhook-timestamp}.{body}">`, keyed with the base64-decoded part of the whsec_ secret; '
        "two signatures for 24 h after a secret rotation (the new and the previous secret).",
    },
]
_POST = {"$ref": "#/components/schemas/Post"}
_BRIEF = {
    "type": "object",
    "required": ["id", "slug"],
    "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}},
}
_PING = {
    "type": "object",
    "required": ["id", "target_url", "events"],
    "properties": {
        "id": {"type": "integer", "description": "The webhook's id."},
        "target_url": {"type": "string"},
        "events": {"type": "array", "items": {"type": "string"}},
    },
}
_DATA = {
    webhook_events.POST_CREATED: _POST,
    webhook_events.POST_UPDATED: _POST,
    webhook_events.POST_PUBLISHED: _POST,
    webhook_events.POST_UNPUBLISHED: {
        "oneOf": [_POST, _BRIEF],
        "description": "The post; only its id and slug to a webhook whose owner could read it only while it was live.",
    },
    webhook_events.POST_DELETED: _BRIEF,
    webhook_events.PING: _PING,
}
_RESPONSES = {
    "2XX": {"description": "Received. Answer quickly (within 10 s); the body is kept, truncated to 4 KB."},
    "410": {"description": "Gone: the webhook is disabled at once (unsubscribe)."},
    "429": {"description": "Retried later, not before its Retry-After."},
    "5XX": {"description": "Retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h (with jitter)."},
}


def _operation(event_type: str) -> dict:
    return {
        "summary": f"{event_type} event",
        "description": webhook_events.EVENTS[event_type]
        + " The body is sent exactly as it was signed: verify the signature on the raw bytes before parsing. "
        "Redirects are not followed and other 4xx answers fail the delivery without a retry.",
        "parameters": _HEADERS,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["type", "timestamp", "data"],
                        "properties": {
                            "type": {"type": "string", "enum": [event_type]},
                            "timestamp": {"type": "string", "format": "date-time"},
                            "data": _DATA[event_type],
                        },
                    }
                }
            },
        },
        "responses": _RESPONSES,
    }


CALLBACKS = [
    OpenApiCallback(name=event_type, path="{$request.body#/target_url}", decorator={"post": _operation(event_type)})
    for event_type in webhook_events.EVENTS
]
