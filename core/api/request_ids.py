"""Idempotency keys: ONE length for what a client sends, ONE helper for the key stored under a unique constraint.

A client sends `request_id` (or `record_id` for rated records) of at most REQUEST_ID_MAX_LENGTH characters. Keys
are unique per client ("1" from two clients are two requests), so services store `client_key(name, id)`, which
fits STORED_KEY_MAX_LENGTH: the serializers, the @idempotent decorator, the model columns and the services all size
from these two constants.
"""

REQUEST_ID_MAX_LENGTH = 100
CLIENT_NAME_MAX_LENGTH = 60  # core.ChannelClient.name
STORED_KEY_MAX_LENGTH = CLIENT_NAME_MAX_LENGTH + 1 + REQUEST_ID_MAX_LENGTH


def client_key(client_name: str, request_id: str) -> str:
    """The stored, namespaced key of a client's request or record id."""
    return f"{client_name}:{request_id}"
