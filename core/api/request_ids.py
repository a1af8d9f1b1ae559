"""Idempotency keys: ONE length for what a client sends, ONE helper for the key stored under a unique constraint.

A client sends `request_id` (or `record_id` where a channel sends rated records) of at most REQUEST_ID_MAX_LENGTH
characters. Keys are unique per client ("1" from two clients are two requests) and apart from the back office's own
references ("pkg:…", "prime:…", "demo:…"), so services store `client_key(name, id)` = "api:<client>:<id>". Every key
column (purchases, usage records, ledger entries, package purchases, app passes, SMS records) is KEY_MAX_LENGTH long
and every service accepts keys up to it: the serializers, the @idempotent decorator, the columns and the services
size from here, so an id the serializer accepts always fits.
"""

REQUEST_ID_MAX_LENGTH = 100
CLIENT_NAME_MAX_LENGTH = 60  # core.ChannelClient.name
_PREFIX = "api:"
# The longest client key, plus room for the prefix a service derives from it (prepaid's "pkg:" ledger reference).
DERIVED_PREFIX_ROOM = 10
KEY_MAX_LENGTH = len(_PREFIX) + CLIENT_NAME_MAX_LENGTH + 1 + REQUEST_ID_MAX_LENGTH + DERIVED_PREFIX_ROOM


def client_key(client_name: str, request_id: str) -> str:
    """The stored, namespaced key of a client's request or record id."""
    return f"{_PREFIX}{client_name}:{request_id}"
