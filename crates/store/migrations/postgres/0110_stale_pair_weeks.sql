-- After how many weeks without a held meeting an active pair is listed as not meeting on its
-- coordinators' home page and cycle page (issue 14); the settings page takes 1 to 26.
ALTER TABLE organisation ADD COLUMN stale_pair_weeks BIGINT NOT NULL DEFAULT 4;
