-- Webhooks (issue 16): an organisation's administrators subscribe an endpoint to events. An
-- operation that causes an event records it in its own transaction (`webhook_events`) with one
-- delivery per active subscription to that event (`webhook_deliveries`); the background worker
-- claims due deliveries (pending -> sending) and POSTs them, signed with the subscription's
-- secret, retrying with back-off. Payloads hold ids, states and links only.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    -- Event names separated by spaces, e.g. 'meeting.confirmed pairs.published'.
    events TEXT NOT NULL,
    -- The HMAC key, shown once when the subscription is made (it must be kept to sign).
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY,
    -- Names the occurrence (e.g. 'report.published:cycle:4:2'), so that recording it again
    -- does nothing.
    dedup_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    -- The HTTP status of the last answer, if one came.
    last_status INTEGER,
    delivered_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries(subscription_id, id);

-- API token scopes (issue 16): 'read' and the areas the token may change, separated by
-- spaces. Tokens made before scopes existed keep full access.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read mentoring evaluation tutoring cocreation administration';
