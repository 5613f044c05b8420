// A Student APT Lead starts a design sprint; a student adds a problem; a member of staff
// supports it and comments; the lead promotes it to an idea and a proposal; the coordinator
// accepts it with its action. Then the tutoring pages of students and School leads. Every page
// visited is screenshotted and checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const LEAD = 'student.lead@demo.flipside.test';
const STUDENT = 'student@demo.flipside.test';
const STAFF = 'tutor@demo.flipside.test';
const SCHOOL_LEAD = 'school.lead@demo.flipside.test';
const PROBLEM = 'Timetables hide tutorial slots';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

async function as(email) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await signIn(page, env.baseUrl, email);
  return page;
}

/** The item of a stage (Problems, Ideas, Proposals) with the problem's title. */
function item(page, stage) {
  return page
    .getByRole('region', { name: new RegExp(`^${stage}`) })
    .locator('article', { has: page.getByRole('heading', { name: PROBLEM }) });
}

test('a sprint goes from a student problem to an accepted proposal', async () => {
  const visit = visitor('sprints');
  const lead = await as(LEAD);
  await lead.goto(`${env.baseUrl}/sprints`);
  await visit(lead, 'list');
  await lead.getByRole('link', { name: 'Start a sprint' }).click();
  await lead.waitForURL(/\/sprints\/new$/);
  await visit(lead, 'new');
  // Sent empty, the form names each problem.
  await lead.getByRole('button', { name: 'Start the sprint' }).click();
  await lead.getByRole('heading', { name: 'There is a problem' }).waitFor();
  assert.ok((await lead.title()).startsWith('Error:'));
  await visit(lead, 'new-errors');
  await lead.getByLabel('Title').fill('Tutorials students can find');
  await lead.getByLabel('Faculty').selectOption({ label: 'Faculty of Science and Engineering' });
  await lead.getByLabel('The question the sprint asks').fill('How do students find out when their tutorials are?');
  await lead.getByLabel('Start date').fill('2026-11-02');
  await lead.getByLabel('End date').fill('2026-12-18');
  await Promise.all([
    lead.waitForURL(/\/sprints\/\d+/),
    lead.getByRole('button', { name: 'Start the sprint' }).click(),
  ]);
  const sprintUrl = lead.url().split('#')[0];
  await visit(lead, 'sprint');

  const student = await as(STUDENT);
  await student.goto(sprintUrl);
  await student.getByLabel('Title').fill(PROBLEM);
  await student.getByLabel('Description').fill('Tutorial times are only in an email sent in welcome week.');
  await Promise.all([
    student.waitForURL(/#item-\d+$/),
    student.getByRole('button', { name: 'Add the problem' }).click(),
  ]);
  await item(student, 'Problems').waitFor();
  await visit(student, 'problem-added');

  const staff = await as(STAFF);
  await staff.goto(sprintUrl);
  const problem = item(staff, 'Problems');
  await Promise.all([
    staff.waitForLoadState('load'),
    problem.getByRole('button', { name: /^Support/ }).click(),
  ]);
  await item(staff, 'Problems').getByRole('button', { name: /Withdraw my support/ }).waitFor();
  await item(staff, 'Problems').getByLabel(/Comment on/).fill('Tutors would welcome this too.');
  await Promise.all([
    staff.waitForLoadState('load'),
    item(staff, 'Problems').getByRole('button', { name: 'Add comment' }).click(),
  ]);
  const text = await item(staff, 'Problems').textContent();
  assert.match(text, /Tutors would welcome this too\./);
  assert.match(text, /1\s+person supports this/);
  await visit(staff, 'supported');

  await lead.goto(sprintUrl);
  await Promise.all([
    lead.waitForLoadState('load'),
    item(lead, 'Problems').getByRole('button', { name: /Promote to idea/ }).click(),
  ]);
  await item(lead, 'Ideas').waitFor();
  await Promise.all([
    lead.waitForLoadState('load'),
    item(lead, 'Ideas').getByRole('button', { name: /Promote to proposal/ }).click(),
  ]);
  await item(lead, 'Proposals').waitFor();
  await visit(lead, 'promoted');

  const coordinator = await as(COORDINATOR);
  await coordinator.goto(sprintUrl);
  const proposal = item(coordinator, 'Proposals');
  // Without reasons the decision is refused and says why.
  await proposal.getByRole('radio', { name: 'Accepted' }).check();
  await proposal.getByRole('button', { name: 'Save the decision' }).click();
  await coordinator.getByRole('heading', { name: 'There is a problem' }).waitFor();
  await visit(coordinator, 'decision-errors');
  const again = item(coordinator, 'Proposals');
  await again.getByRole('radio', { name: 'Accepted' }).check();
  await again.getByLabel('Reasons', { exact: true }).fill('Simple to do and asked for by students and staff.');
  await again.getByLabel('The action, if accepted', { exact: true }).fill('Show tutorial slots in the student timetable');
  await again.getByLabel('Who owns the action, if accepted').fill('Timetabling office');
  await Promise.all([
    coordinator.waitForURL(/#item-\d+$/),
    again.getByRole('button', { name: 'Save the decision' }).click(),
  ]);
  const decided = await item(coordinator, 'Proposals').textContent();
  assert.match(decided, /Decision: Accepted/);
  assert.match(decided, /Not started/);
  await visit(coordinator, 'decided');
});

test('a student keeps a profile and asks for a change; the School lead sees the request', async () => {
  const visit = visitor('tutoring');
  const student = await as(STUDENT);
  await student.goto(`${env.baseUrl}/tutoring/profile`);
  assert.match(await student.locator('main').textContent(), /Dr Leila Haddad/);
  await visit(student, 'profile');
  await student.getByLabel('My goals', { exact: true }).fill('x'.repeat(2001));
  await student.getByRole('button', { name: 'Save my profile' }).click();
  await student.getByRole('heading', { name: 'There is a problem' }).waitFor();
  await visit(student, 'profile-errors');
  await student.goto(`${env.baseUrl}/tutoring/change-request`);
  assert.match(await student.locator('main').textContent(), /Waiting for a decision/);
  await visit(student, 'change-request');

  const lead = await as(SCHOOL_LEAD);
  await lead.goto(`${env.baseUrl}/tutoring/change-requests`);
  assert.match(await lead.locator('main').textContent(), /Jordan Baptiste/);
  await visit(lead, 'change-requests');
  await lead.getByRole('button', { name: /Save the decision/ }).first().click();
  await lead.getByRole('heading', { name: 'There is a problem' }).waitFor();
  await visit(lead, 'change-requests-errors');
});
