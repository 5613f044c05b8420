// Personal tutoring: the coordinator runs this year's allocation again, is refused a move to
// a tutor of another School (the message names the tutor), moves a student and publishes; a
// tutor logs a contact with their tutee and reads its note; the Student APT Lead and the
// coordinator see the suppressed dashboard. Every page visited is checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const TUTOR = 'tutor@demo.flipside.test';
const LEAD = 'student.lead@demo.flipside.test';
const NOTE = 'Talked about <placements> & a reference';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

test('the coordinator allocates and publishes, a tutor logs a contact, the dashboard is suppressed', async () => {
  const coordinator = await env.browser.newContext();
  const tutor = await env.browser.newContext();
  const lead = await env.browser.newContext();
  const c = await coordinator.newPage();
  const t = await tutor.newPage();
  const l = await lead.newPage();
  const visit = visitor('tutoring');
  try {
    await signIn(c, env.baseUrl, COORDINATOR);
    await c.getByRole('link', { name: 'Tutor allocation' }).click();
    await c.waitForURL(/\/tutoring\/allocation/);
    await visit(c, 'allocation');
    await Promise.all([
      c.waitForURL(/\/tutoring\/allocation\?year=/),
      c.getByRole('button', { name: /Run the allocation again/ }).click(),
    ]);
    assert.match(await c.locator('main').textContent(), /a draft of 38000 students/);
    assert.match(await c.locator('main').textContent(), /Not published/);
    await visit(c, 'allocation-draft');

    // S000001 is in the School of History; T02500 is in another School.
    await c.getByLabel('Student ID').fill('S000001');
    await c.getByLabel("New tutor's ID").fill('T02500');
    await c.getByRole('button', { name: 'Move' }).click();
    await c.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.ok((await c.title()).startsWith('Error:'));
    assert.match(await c.locator('main').textContent(), /Not moved: .+ \(T02500\) is not allowed: they belong to another School/);
    await visit(c, 'allocation-move-refused');

    await Promise.all([
      c.waitForURL(/\/tutoring\/allocation\?year=/),
      c.getByRole('button', { name: /Publish the allocation/ }).click(),
    ]);
    assert.match(await c.locator('main').textContent(), /Published: \d+ tutor assignments/);

    await c.getByRole('link', { name: /Change the rules of School of Law/ }).click();
    await c.waitForURL(/\/tutoring\/schools\/\d+\/rules$/);
    await visit(c, 'school-rules');
    await c.getByLabel(/No contact by/).fill('99');
    await c.getByRole('button', { name: 'Save the rules' }).click();
    await c.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await visit(c, 'school-rules-error');

    await c.goto(`${env.baseUrl}/tutoring/dashboard`);
    const dash = await c.locator('main').textContent();
    assert.match(dash, /Counts under \d+ suppressed/, 'the table names its disclosure rule');
    assert.match(dash, /Whole institution/);
    await visit(c, 'dashboard');

    // The tutor logs a contact with their tutee.
    await signIn(t, env.baseUrl, TUTOR);
    await t.getByRole('link', { name: 'My tutees' }).click();
    await t.waitForURL(/\/tutoring\/tutees$/);
    const tutees = await t.locator('main').textContent();
    const jordan = tutees.match(/Jordan Baptiste\s*\((S\d+)\)/);
    assert.ok(jordan, `the demo student is the tutor's tutee: ${tutees}`);
    await visit(t, 'tutees');
    await t.getByRole('link', { name: 'Log a contact' }).click();
    await t.waitForURL(/\/tutoring\/contacts\/new/);
    await visit(t, 'new-contact');
    await t.getByLabel('Student ID').fill(jordan[1]);
    await t.getByLabel('Duration in minutes').fill('700');
    await t.getByRole('button', { name: 'Log the contact' }).click();
    await t.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await visit(t, 'new-contact-error');
    await t.getByLabel('Online').check();
    await t.getByLabel('The student').check();
    await t.getByLabel('Duration in minutes').fill('30');
    await t.getByLabel(/Short note/).fill(NOTE);
    await Promise.all([
      t.waitForURL(/\/tutoring\/students\/\d+$/),
      t.getByRole('button', { name: 'Log the contact' }).click(),
    ]);
    const record = await t.locator('main').textContent();
    assert.ok(record.includes(NOTE), 'the note is shown to the tutor, as text');
    assert.equal(await t.locator('main placements').count(), 0);
    await visit(t, 'student-record');
    await t.locator('table').last().getByRole('link').first().click();
    await t.waitForURL(/\/tutoring\/contacts\/\d+$/);
    await visit(t, 'contact');

    // The Student APT Lead sees aggregates only.
    await signIn(l, env.baseUrl, LEAD);
    await l.getByRole('link', { name: 'Tutoring dashboard' }).click();
    await l.waitForURL(/\/tutoring\/dashboard$/);
    await visit(l, 'dashboard-lead');
  } finally {
    await coordinator.close();
    await tutor.close();
    await lead.close();
  }
});
