-- Survey reminders on a schedule the coordinator sets per wave (issue 14): every so many days
-- after the wave opens, and on named dates (year-month-day, separated by ", "). The email
-- worker claims each scheduled day's reminder by moving scheduled_reminder_on forward in a
-- conditional UPDATE, in the transaction that queues the emails and the audit entry: two
-- instances on one database send it once.
ALTER TABLE survey_waves ADD COLUMN remind_every_days BIGINT CHECK (remind_every_days BETWEEN 1 AND 60);
ALTER TABLE survey_waves ADD COLUMN remind_on_dates TEXT NOT NULL DEFAULT '';
ALTER TABLE survey_waves ADD COLUMN scheduled_reminder_on DATE;
