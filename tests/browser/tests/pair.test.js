// A pair at work: the student mentor and the staff leader of the Law pilot's demo pair each
// accept the expectations, propose and confirm a meeting, download it as .ics, write a note
// and raise an action; the student raises a concern; the coordinator sees the concern, the
// hours per pair and "you said, we did". Every page visited is checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const STUDENT = 'mentor2@demo.flipside.test';
const STAFF = 'mentee2@demo.flipside.test';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

/** A date some days from now, as the date field takes it. */
function inDays(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function openPair(page, partner) {
  await Promise.all([
    page.waitForURL(/\/pairs\/\d+$/),
    page.getByRole('link', { name: `Your pair with ${partner}` }).click(),
  ]);
}

async function propose(page, date, session) {
  await page.getByLabel('Date').fill(date);
  await page.getByLabel('Start time (Europe/London)').fill('14:00');
  await page.getByLabel('Length in minutes').fill('60');
  await page.getByLabel('Session of the plan').selectOption(session);
  await Promise.all([
    page.waitForURL(/\/pairs\/\d+/),
    page.getByRole('button', { name: 'Propose this meeting' }).click(),
  ]);
}

async function confirmAndDownload(page) {
  await page.getByRole('button', { name: 'Confirm this meeting' }).first().click();
  await page.getByText('Meeting confirmed').waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /Add to your calendar/ }).last().click(),
  ]);
  const ics = await readFile(await download.path(), 'utf8');
  assert.ok(ics.startsWith('BEGIN:VCALENDAR'), ics.slice(0, 80));
  assert.ok(ics.includes('BEGIN:VEVENT') && ics.includes('DESCRIPTION:'), 'an event with a description');
  return ics;
}

async function writeNote(page, text, share) {
  await page.getByLabel('New note').fill(text);
  if (share) await page.getByRole('checkbox', { name: /Share this note with/ }).check();
  await Promise.all([
    page.waitForURL(/#notes$/),
    page.getByRole('button', { name: 'Save the note' }).click(),
  ]);
}

async function raiseAction(page, title, description, anonymous) {
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('What should change, and why').fill(description);
  if (anonymous) await page.getByRole('checkbox', { name: /Raise it anonymously/ }).check();
  await Promise.all([
    page.waitForURL(/#actions$/),
    page.getByRole('button', { name: 'Raise the action' }).click(),
  ]);
}

test('both members agree, meet, take notes and raise actions; the coordinator sees the outcome', async () => {
  const studentCtx = await env.browser.newContext({ acceptDownloads: true });
  const staffCtx = await env.browser.newContext({ acceptDownloads: true });
  const coordinatorCtx = await env.browser.newContext();
  const s = await studentCtx.newPage();
  const l = await staffCtx.newPage();
  const c = await coordinatorCtx.newPage();
  const visit = visitor('pair');
  try {
    await signIn(s, env.baseUrl, STUDENT);
    await visit(s, 'student-home');
    await openPair(s, 'Dr Graham Holt');
    await visit(s, 'student-pair');
    assert.ok(await s.getByText('You can propose the first meeting once both of you have accepted').isVisible());
    await s.getByRole('button', { name: 'I accept these expectations' }).click();
    await s.getByText('You accepted the expectations agreement.').waitFor();

    await signIn(l, env.baseUrl, STAFF);
    await openPair(l, 'Tomasz Wiśniewski');
    await l.getByRole('button', { name: 'I accept these expectations' }).click();
    await l.getByText('You accepted the expectations agreement.').waitFor();
    await visit(l, 'staff-pair-agreed');

    // A proposal without a date comes back with the error next to the field.
    await s.reload();
    await s.getByLabel('Start time (Europe/London)').fill('14:00');
    await s.getByRole('button', { name: 'Propose this meeting' }).click();
    await s.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.ok((await s.title()).startsWith('Error:'));
    assert.equal(await s.getByLabel('Date').getAttribute('aria-invalid'), 'true');
    await visit(s, 'student-propose-error');

    // The student proposes; the leader confirms and downloads it.
    await propose(s, inDays(3), '2');
    await s.getByText('waiting for Dr Graham Holt to confirm').waitFor();
    await visit(s, 'student-proposed');
    await l.reload();
    const leaderIcs = await confirmAndDownload(l);
    assert.ok(leaderIcs.replace(/\r\n[ \t]/g, '').includes("The student's experience of the institution"));
    await visit(l, 'staff-confirmed');

    // The leader proposes the next one; the student confirms and downloads it.
    await propose(l, inDays(10), '3');
    await s.reload();
    const studentIcs = await confirmAndDownload(s);
    assert.ok(studentIcs.replace(/\r\n[ \t]/g, '').includes('Belonging'));
    await visit(s, 'student-confirmed');

    // Notes: the student's stays private; the leader shares theirs.
    await writeNote(s, 'Bring the timetable clash examples.', false);
    await writeNote(l, 'Ask the School office how deadlines are set.', true);
    await s.reload();
    assert.ok(await s.getByText('Ask the School office how deadlines are set.').isVisible());
    await l.reload();
    assert.equal(await l.getByText('Bring the timetable clash examples.').count(), 0);
    await visit(l, 'staff-notes');

    // Actions: the student raises one anonymously, the leader one in their name, and accepts
    // the student's.
    await raiseAction(s, 'Publish assessment deadlines at the start of term', 'Deadlines announced late clash with work shifts.', true);
    await raiseAction(l, 'Office hours outside the working day', 'Students who work cannot reach staff between nine and five.', false);
    await l.reload();
    await Promise.all([
      l.waitForURL(/#actions$/),
      l.getByRole('button', { name: 'Accept this action: Publish assessment deadlines at the start of term' }).click(),
    ]);
    await visit(l, 'staff-actions');

    // A concern to the coordinators.
    await s.getByLabel('Your message to the coordinators').fill('Could meetings move online in exam weeks?');
    await s.getByRole('button', { name: 'Send to the coordinators' }).click();
    await s.getByText('Your concern has been sent').waitFor();
    const ysUrl = await s.getByRole('link', { name: /You said, we did/ }).getAttribute('href');
    await visit(s, 'student-concern-sent');

    // The coordinator: "you said, we did" for the pilot and the institutional scheme, the
    // concern, and last year's hours.
    await signIn(c, env.baseUrl, COORDINATOR);
    await c.goto(`${env.baseUrl}${ysUrl}`);
    const ys = await c.locator('main').textContent();
    assert.ok(ys.includes('Publish assessment deadlines at the start of term') && ys.includes('Raised anonymously'));
    assert.ok(!ys.includes('Tomasz'), 'the anonymous raiser is not named');
    await visit(c, 'coordinator-you-said-we-did-pilot');

    await c.goto(`${env.baseUrl}/schemes`);
    await c.getByRole('link', { name: 'Law School Reverse Mentoring Pilot' }).click();
    await c.getByRole('link', { name: '2026/27' }).click();
    await c.getByRole('link', { name: 'Concerns raised with the coordinators' }).click();
    await c.getByText('Could meetings move online in exam weeks?').waitFor();
    await visit(c, 'coordinator-concerns');

    await c.goto(`${env.baseUrl}/schemes`);
    await c.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).click();
    await c.getByRole('link', { name: /You said, we did/ }).click();
    await c.getByRole('heading', { name: 'Feedback before the next assignment is due' }).waitFor();
    await visit(c, 'coordinator-you-said-we-did-institutional');
    await c.goBack();
    await c.getByRole('link', { name: '2025/26' }).click();
    await c.getByRole('link', { name: 'Hours met per pair' }).click();
    await c.getByText('Pairs that reached the target').waitFor();
    await visit(c, 'coordinator-hours');
  } finally {
    await studentCtx.close();
    await staffCtx.close();
    await coordinatorCtx.close();
  }
});
