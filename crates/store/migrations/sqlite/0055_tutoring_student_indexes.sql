-- Erasing or retiring a tutored student deletes their contacts, allocation drafts and change
-- requests by cascade; without an index leading with student_id each deleted student scanned
-- those tables whole (the retention run retiring the full-size demo's 38,000 students took
-- 134 s instead of about 1 s; see bench/privacy/README.md).
CREATE INDEX tutoring_contacts_of_student ON tutoring_contacts (student_id);
CREATE INDEX tutoring_allocation_drafts_of_student ON tutoring_allocation_drafts (student_id);
CREATE INDEX tutoring_change_requests_of_student ON tutoring_change_requests (student_id);
