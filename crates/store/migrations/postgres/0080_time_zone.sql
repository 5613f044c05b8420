-- The organisation's time zone (issue 14): an IANA name. Times are typed and shown in it and
-- stored in UTC; the dates that decide things are its local dates.
ALTER TABLE organisation ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/London';
