"""schemathesis hooks for contract.py (loaded through SCHEMATHESIS_HOOKS).

An Idempotency-Key that is already taken by another request is refused (422), by design; no
schema can say that a key must be new. schemathesis draws the same few short keys for many
operations, so once one request with a key succeeds, every other operation's schema-valid
request with that key would be "rejected". Each well-formed key is therefore replaced by a
fresh UUID before the call; malformed keys are left as drawn, so their refusal is still checked.
The replay of a key is covered by the integration tests (api_idempotency.rs).
"""
import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers
    if not headers:
        return
    for name in list(headers):
        if name.lower() == "idempotency-key":
            value = headers[name]
            if isinstance(value, str) and WELL_FORMED.match(value):
                headers[name] = str(uuid.uuid4())
