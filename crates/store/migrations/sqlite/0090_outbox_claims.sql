-- When an email was claimed for sending (issue 15). A worker killed between claiming and
-- sending leaves the row 'sending'; once the claim is older than the worker's lease it goes
-- back to 'pending' and is sent again (at least once: the Message-ID, derived from the dedup
-- key, lets the receiving side recognise a repeat).
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
