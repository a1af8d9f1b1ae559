"""The channel API's shared parts: authentication, kinds, idempotency, errors, fields, throttling."""
