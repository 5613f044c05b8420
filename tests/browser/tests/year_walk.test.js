// A whole year of a new scheme, walked through links only: after each person's sign-in page,
// nobody types an address; the only other pages opened directly are the links in the emails
// the app sends, read from the file sink. A coordinator creates a scheme, starts a cycle,
// edits its plan and opens the call; two students apply from their home page and follow the
// decision emails; two staff leaders follow their invitations, accept and choose passwords;
// the coordinator matches and publishes; each member opens the pair from the pairing email; a
// meeting is proposed and confirmed from the email, held and noted; an action is raised and
// its status changed, each from its email; a concern is raised and answered; a survey wave
// is opened and answered from its email; the results are read; and the cycle is closed pair
// by pair. Every page visited is checked with axe-core at 1280 and 390 pixels wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setUp, checkA11y, screenshot, COORDINATOR, DEMO_PASSWORD } from '../lib/harness.js';

const SCHEME = 'Reverse Mentoring in the Library';
const YEAR = '2026/27';
const STUDENTS = [
  { email: 'student@demo.flipside.test', name: 'Jordan Baptiste' },
  { email: 'student.lead@demo.flipside.test', name: 'Sana Mirza' },
];
const LEADERS = [
  { email: 'iris.calder@library.example', name: 'Dr Iris Calder', password: 'quiet-harbour-lamp-41' },
  { email: 'owen.marsh@library.example', name: 'Owen Marsh', password: 'amber-kettle-ridge-77' },
];
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };

let env;
let mailDir;
before(async () => {
  mailDir = await mkdtemp(path.join(tmpdir(), 'flipside-walk-mail-'));
  process.env.FLIPSIDE_MAIL_DIR = mailDir;
  process.env.FLIPSIDE_MAIL_POLL_SECONDS = '1';
  env = await setUp();
});
after(async () => {
  await env?.close();
  if (mailDir) await rm(mailDir, { recursive: true, force: true });
});

/** Every page visited: a screenshot, and axe-core at both widths. */
let visits = 0;
async function visit(page, name) {
  visits += 1;
  const label = `walk-${String(visits).padStart(2, '0')}-${name}`;
  await page.setViewportSize(WIDE);
  await screenshot(page, label);
  await checkA11y(page, `${name} at 1280px`);
  await page.setViewportSize(NARROW);
  await checkA11y(page, `${name} at 390px`);
  await page.setViewportSize(WIDE);
}

/** Decodes a message's text whether it was sent quoted-printable or base64. */
function decode(eml) {
  const qp = eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const parts = eml.split(/\r?\n\r?\n/).slice(1).join('\n');
  let decoded = '';
  for (const m of parts.matchAll(/^[A-Za-z0-9+/=\r\n]{40,}$/gm)) {
    try { decoded += Buffer.from(m[0].replace(/\s+/g, ''), 'base64').toString('utf8'); } catch { /* not base64 */ }
  }
  return `${qp}\n${decoded}`;
}

const seen = new Set();
/**
 * Waits for a new email to `address` whose text matches `pattern`, marks it read and returns
 * the link it carries (the first address on this server matching `link`).
 */
async function emailedLink(address, pattern, link = /https?:\/\/[^\s/]+(\/[^\s<>"]*)/) {
  for (let i = 0; i < 150; i++) {
    for (const name of (await readdir(mailDir).catch(() => [])).sort()) {
      if (seen.has(name)) continue;
      const text = decode(await readFile(path.join(mailDir, name), 'utf8'));
      if (!new RegExp(`^To:.*${address.replace(/[.]/g, '\\.')}`, 'mi').test(text)) continue;
      if (!pattern.test(text)) continue;
      const m = text.match(link);
      assert.ok(m, `the email to ${address} matching ${pattern} carries a link:\n${text}`);
      seen.add(name);
      return `${env.baseUrl}${m[1]}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no new email to ${address} matching ${pattern} in ${mailDir}`);
}

/**
 * Follows the link in a new email, as a mail program would: a fresh load (never a jump
 * within the page already open), so the page shows what is there now.
 */
async function followEmail(page, address, pattern) {
  const link = await emailedLink(address, pattern);
  await page.goto('about:blank');
  await page.goto(link);
  return link;
}

/** Clicks something that navigates, and waits for the new page. */
async function follow(page, locator, url = /.*/) {
  let answered = null;
  const onResponse = (r) => { if (r.frame() === page.mainFrame() && r.request().isNavigationRequest()) answered = r; };
  page.on('response', onResponse);
  try {
    await Promise.all([page.waitForURL(url), locator.click()]);
  } catch (e) {
    // Say what came back instead (an error page, a form shown again with its errors) and what
    // the server logged, so that a failure seen once under load can be read from the log.
    const shown = await page.locator('main').innerText({ timeout: 5_000 }).catch(() => '(no main)');
    e.message += `\nthe browser is at ${page.url()}, answered ${answered ? answered.status() : 'nothing'}; `
      + `the page says: ${shown.slice(0, 800)}\nthe server's log ends: ${env.server.output().slice(-3000)}`;
    throw e;
  } finally {
    page.off('response', onResponse);
  }
  await page.waitForLoadState('load');
}

async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto(`${env.baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await follow(page, page.getByRole('button', { name: 'Sign in' }), (u) => !u.pathname.startsWith('/sign-in'));
}

/** Signs in on the sign-in page an email link led to; lands on the page the link was for. */
async function signInHere(page, email, password = DEMO_PASSWORD) {
  const next = new URL(page.url()).searchParams.get('next');
  assert.ok(next, `the sign-in page remembers where the link led: ${page.url()}`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await follow(page, page.getByRole('button', { name: 'Sign in' }), (u) => `${u.pathname}${u.search}${u.hash}`.startsWith(next.split('#')[0]));
}

async function mainText(page) {
  return (await page.locator('main').textContent()).replace(/\s+/g, ' ');
}

/** From any page, back to the cycle's page through the links. */
async function toCycle(c) {
  await follow(c, c.getByRole('link', { name: 'Home', exact: true }), /\/$/);
  await follow(c, c.getByRole('link', { name: `${YEAR} cycle of ${SCHEME}` }), /\/cycles\/\d+$/);
}

test('a whole cycle, walked through links and emails by a coordinator, students and leaders', { timeout: 900_000 }, async () => {
  const contexts = [];
  const open = async () => {
    const ctx = await env.browser.newContext({ viewport: WIDE, acceptDownloads: true });
    contexts.push(ctx);
    return ctx.newPage();
  };
  try {
    const c = await open();
    const students = await Promise.all(STUDENTS.map(open));
    const leaders = await Promise.all(LEADERS.map(open));

    // --- The coordinator: a new scheme, its first cycle, the plan, the call opened.
    await signIn(c, COORDINATOR);
    await visit(c, 'coordinator-home');
    await follow(c, c.getByRole('link', { name: 'Create a scheme' }), /\/schemes\/new$/);
    await visit(c, 'new-scheme');
    await c.getByLabel('Name').fill(SCHEME);
    await c.getByLabel('Kind of scheme').selectOption({ label: 'Institutional reverse mentoring' });
    await c.getByLabel('Purpose').fill('Students mentor the library\'s leaders on how study spaces and services feel from the other side of the desk.');
    await follow(c, c.getByRole('button', { name: 'Create scheme' }), /\/schemes\/\d+$/);
    await visit(c, 'scheme');
    await follow(c, c.getByRole('link', { name: 'Start a cycle' }), /\/cycles\/new$/);
    await visit(c, 'new-cycle');
    await c.getByLabel('Academic year').fill(YEAR);
    await c.getByLabel('Hours each pair aims to meet').fill('6');
    await follow(c, c.getByRole('button', { name: 'Start cycle' }), /\/cycles\/\d+$/);
    const cycleUrl = c.url();
    assert.match(await mainText(c), /draft/);
    await visit(c, 'cycle-draft');

    await follow(c, c.getByRole('link', { name: /Edit the meeting plan/ }), /\/plan$/);
    await visit(c, 'plan');
    const sessions = c.getByLabel('Sessions');
    await sessions.fill(`${await sessions.inputValue()}\n\n## The library at night\n- Where do you study after ten?`);
    await follow(c, c.getByRole('button', { name: 'Save the plan' }));
    assert.match(await mainText(c), /The library at night/);
    await visit(c, 'plan-saved');
    if (!c.url().endsWith(new URL(cycleUrl).pathname)) {
      await follow(c, c.getByRole('link', { name: `${SCHEME} ${YEAR}` }), /\/cycles\/\d+$/);
    }
    await follow(c, c.getByRole('button', { name: /Open the call/ }));
    await visit(c, 'confirm-open-call');
    await follow(c, c.getByRole('button', { name: /Open the call/ }), /\/cycles\/\d+$/);
    assert.match(await mainText(c), /recruiting/);
    await visit(c, 'cycle-recruiting');

    // Leaders invited as a pasted list.
    await follow(c, c.getByRole('link', { name: 'Staff invitations' }), /\/invitations$/);
    await visit(c, 'invitations');
    await c.getByLabel('Leaders, one a line').fill(LEADERS.map((l) => `${l.name}, ${l.email}`).join('\n'));
    await follow(c, c.getByRole('button', { name: 'Check the list' }));
    await visit(c, 'invitation-list-check');
    await follow(c, c.getByRole('button', { name: /^(Send|Invite)/ }), /\/invitations$/);
    for (const l of LEADERS) assert.ok((await mainText(c)).includes(l.name));
    await visit(c, 'invitations-sent');

    // --- Students apply from their home page.
    for (const [i, s] of students.entries()) {
      await signIn(s, STUDENTS[i].email);
      await visit(s, `student-${i}-home`);
      await follow(s, s.getByRole('link', { name: new RegExp(`${SCHEME}, ${YEAR}`) }), /\/apply$/);
      await visit(s, `student-${i}-apply`);
      const labels = s.getByRole('group', { name: /How do you describe yourself/ }).getByRole('checkbox');
      await labels.nth(i).check();
      await s.getByLabel('Course').fill(i === 0 ? 'BSc Biosciences' : 'BA History');
      const level = s.getByLabel('Level of study');
      const levels = await level.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
      await level.selectOption(levels[i]);
      await s.getByLabel('Interests').fill(i === 0 ? 'study spaces, belonging' : 'opening hours, assessment');
      await s.getByRole('group', { name: /When could you usually meet/ }).getByRole('checkbox').nth(i).check();
      await s.getByLabel('What do you hope to change?').fill('Quiet rooms that are open when students who work can use them.');
      await s.locator('#consent_take_part').check();
      await s.locator('#consent_research').check();
      await follow(s, s.getByRole('button', { name: /Send my application/ }), /\/my-application$/);
      await visit(s, `student-${i}-applied`);
    }

    // --- The coordinator decides, from the cycle's Recruit stage; each student follows the
    // decision email to their application.
    await toCycle(c);
    await follow(c, c.getByRole('link', { name: '2 applications to decide' }), /\/applications$/);
    await visit(c, 'applications');
    for (const [i, s] of STUDENTS.entries()) {
      await follow(c, c.getByRole('link', { name: s.name }), /\/applications\/\d+$/);
      if (i === 0) await visit(c, 'application-review');
      await c.locator('input[name="decision"][value="accepted"]').check();
      await c.getByLabel('Message to the applicant').fill('Welcome: the matching is next month.');
      await follow(c, c.getByRole('button', { name: 'Save the decision' }));
      if (i === 0) await visit(c, 'application-decided');
      if (!/\/applications$/.test(c.url())) {
        await follow(c, c.getByRole('link', { name: /Applications|applications/ }).first(), /\/applications$/);
      }
    }
    for (const [i, s] of students.entries()) {
      await followEmail(s, STUDENTS[i].email, /decided on your application/);
      assert.ok((await mainText(s)).includes('Welcome: the matching is next month.'));
      await visit(s, `student-${i}-decision-from-email`);
    }

    // --- Each leader follows the invitation, accepts, and chooses a password from the next email.
    for (const [i, l] of leaders.entries()) {
      const { email, password } = LEADERS[i];
      await followEmail(l, email, /invites you to take part/);
      await visit(l, `leader-${i}-invitation`);
      await l.getByLabel('Your interests').fill(i === 0 ? 'study spaces, belonging' : 'opening hours');
      const slots = l.getByRole('group', { name: /When could you usually meet/ }).getByRole('checkbox');
      await slots.nth(0).check();
      await slots.nth(1).check();
      await follow(l, l.getByRole('button', { name: 'Accept the invitation' }), /\/invitations\/answered$/);
      await visit(l, `leader-${i}-accepted`);
      await followEmail(l, email, /password/i);
      await visit(l, `leader-${i}-set-password`);
      await l.getByLabel('New password', { exact: true }).fill(password);
      await l.getByLabel('New password again').fill(password);
      await follow(l, l.getByRole('button', { name: 'Set my password' }), /\/sign-in/);
      await l.getByLabel('Email address').fill(email);
      await l.getByLabel('Password', { exact: true }).fill(password);
      await follow(l, l.getByRole('button', { name: 'Sign in' }), (u) => !u.pathname.startsWith('/sign-in'));
      await visit(l, `leader-${i}-home`);
    }

    // --- Matching and publishing.
    await toCycle(c);
    await follow(c, c.getByRole('button', { name: /start matching/ }));
    await visit(c, 'confirm-matching');
    await follow(c, c.getByRole('button', { name: /start matching|matching/i }), /\/cycles\/\d+$/);
    await visit(c, 'cycle-matching');
    await follow(c, c.getByRole('link', { name: 'Matching', exact: true }), /\/matching$/);
    await visit(c, 'matching');
    await follow(c, c.getByRole('button', { name: /^Publish 2 pairs$/ }));
    if (!/\/pairs$/.test(c.url())) {
      await visit(c, 'confirm-publish');
      await follow(c, c.getByRole('button', { name: /^Publish/ }), /\/pairs$/);
    }
    assert.match(await mainText(c), /2 pairs/);
    await visit(c, 'pairs');

    // --- Each member opens the pair from the pairing email and accepts the expectations.
    const partnerOf = [];
    for (const [i, s] of students.entries()) {
      const link = await followEmail(s, STUDENTS[i].email, /You have been paired with/);
      assert.match(link, /\/pairs\/\d+$/);
      const text = await mainText(s);
      partnerOf[i] = LEADERS.findIndex((l) => text.includes(l.name));
      assert.ok(partnerOf[i] >= 0, `the pair page names a leader: ${text}`);
      await visit(s, `student-${i}-pair-from-email`);
      await s.getByRole('button', { name: 'I accept these expectations' }).click();
      await s.getByText('You accepted the expectations agreement.').waitFor();
    }
    for (const [j, l] of leaders.entries()) {
      await followEmail(l, LEADERS[j].email, /You have been paired with/);
      await visit(l, `leader-${j}-pair-from-email`);
      await l.getByRole('button', { name: 'I accept these expectations' }).click();
      await l.getByText('You accepted the expectations agreement.').waitFor();
    }

    // --- The first pair at work. The student proposes a meeting two minutes from now, so
    // that it can be logged as held before the walk ends.
    const s0 = students[0];
    const l0 = leaders[partnerOf[0]];
    const leader0 = LEADERS[partnerOf[0]];
    const start = new Date(Math.ceil((Date.now() + 90_000) / 60_000) * 60_000);
    const london = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(start).map((p) => [p.type, p.value]));
    await s0.reload();
    await s0.getByLabel('Date').fill(`${london.year}-${london.month}-${london.day}`);
    await s0.getByLabel('Start time (Europe/London)').fill(`${london.hour}:${london.minute}`);
    await s0.getByLabel('Length in minutes').fill('60');
    await s0.getByLabel('Session of the plan').selectOption('1');
    await follow(s0, s0.getByRole('button', { name: 'Propose this meeting' }));
    await s0.getByText(`waiting for ${leader0.name} to confirm`).waitFor();
    await visit(s0, 'student-proposed');

    await followEmail(l0, leader0.email, /proposed/);
    await visit(l0, 'leader-meeting-from-email');
    await follow(l0, l0.getByRole('button', { name: 'Confirm this meeting' }).first());
    await l0.getByText('Meeting confirmed').waitFor();
    await visit(l0, 'leader-confirmed');
    await followEmail(s0, STUDENTS[0].email, /confirmed/);
    await visit(s0, 'student-meeting-confirmed-from-email');

    // A shared note from the leader, read by the student.
    await l0.getByLabel('New note').fill('Ask estates who decides the late opening hours.');
    await l0.getByRole('checkbox', { name: /Share this note with/ }).check();
    await follow(l0, l0.getByRole('button', { name: 'Save the note' }), /#notes$/);
    await visit(l0, 'leader-note');

    // The student raises an action; the leader follows the email and accepts it; the student
    // follows the email that says so.
    const ACTION = 'Keep one quiet floor open until midnight in exam weeks';
    await s0.getByLabel('Title').fill(ACTION);
    await s0.getByLabel('What should change, and why').fill('Students who work evening shifts have nowhere quiet to revise.');
    await follow(s0, s0.getByRole('button', { name: 'Raise the action' }), /#actions$/);
    await visit(s0, 'student-action-raised');
    await followEmail(l0, leader0.email, new RegExp(ACTION));
    await visit(l0, 'leader-action-from-email');
    await follow(l0, l0.getByRole('button', { name: `Accept this action: ${ACTION}` }));
    await visit(l0, 'leader-action-accepted');
    await followEmail(s0, STUDENTS[0].email, /moved the action you raised/);
    assert.match(await mainText(s0), /Accepted|accepted/);
    await visit(s0, 'student-action-moved-from-email');

    // A concern: raised by the student, answered by the coordinator from the email, read by
    // the student from the answer's email.
    const CONCERN = 'Could we meet online during the exam weeks?';
    await s0.getByLabel('Your message to the coordinators').fill(CONCERN);
    await follow(s0, s0.getByRole('button', { name: 'Send to the coordinators' }));
    await s0.getByText('Your concern has been sent').waitFor();
    await visit(s0, 'student-concern-sent');
    await followEmail(c, COORDINATOR, new RegExp(CONCERN.replace('?', '\\?')));
    await visit(c, 'concern-from-email');
    const concern = c.locator('li, article, section, div').filter({ hasText: CONCERN }).last();
    await concern.getByLabel(/Acknowledged/).check();
    await concern.getByLabel(/Your reply to/).fill('Yes: meeting online in exam weeks counts towards your hours.');
    await follow(c, concern.getByRole('button', { name: /Send the answer to/ }));
    await visit(c, 'concern-answered');
    await followEmail(s0, STUDENTS[0].email, /looked at the concern you raised/);
    assert.ok((await mainText(s0)).includes('meeting online in exam weeks counts towards your hours'));
    await visit(s0, 'student-concern-answer-from-email');

    // --- The cycle runs: a survey wave opened and answered from its email.
    await toCycle(c);
    const advance = c.locator('main form[action$="/advance"] button');
    if (/running|Start the/i.test(await advance.textContent()) && !(await mainText(c)).match(/running \(now\)|Run \(now\)/)) {
      await follow(c, advance);
      await visit(c, 'confirm-running');
      await follow(c, c.locator('main form button[type="submit"]').first(), /\/cycles\/\d+$/);
    }
    await visit(c, 'cycle-running');
    await follow(c, c.getByRole('link', { name: /Surveys: dates, response rates/ }), /\/surveys$/);
    await visit(c, 'surveys');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    const later = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(Date.now() + 14 * 86_400_000));
    await c.getByLabel('Opens on').first().fill(today);
    await c.getByLabel('Closes on').first().fill(later);
    const day = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(Date.now() + d * 86_400_000));
    await c.getByLabel('Opens on').nth(1).fill(day(120));
    await c.getByLabel('Closes on').nth(1).fill(day(134));
    await follow(c, c.getByRole('button', { name: 'Save dates' }), /\/surveys/);
    await visit(c, 'surveys-dated');
    await follow(c, c.getByRole('button', { name: /Send invitations/ }).first(), /\/surveys/);
    await visit(c, 'surveys-invited');
    for (const [i, s] of students.entries()) {
      await followEmail(s, STUDENTS[i].email, /takes a few minutes/);
      assert.match(s.url(), /\/surveys\/\d+\/pre$/);
      await visit(s, `student-${i}-survey-from-email`);
      for (const group of await s.locator('main fieldset').all()) {
        await group.getByLabel(i === 0 ? /^4 – / : /^3 – /).check();
      }
      await follow(s, s.getByRole('button', { name: 'Submit answers' }), /\/surveys$/);
      assert.match(await mainText(s), /answers are submitted/);
      await visit(s, `student-${i}-survey-submitted`);
    }
    await follow(c, c.getByRole('link', { name: `${SCHEME} ${YEAR}` }).or(c.getByRole('link', { name: `${SCHEME}, ${YEAR} cycle` })).first(), /\/cycles\/\d+$/);
    await follow(c, c.getByRole('link', { name: /Evaluation results/ }), /\/results$/);
    await visit(c, 'results');

    // --- The meeting has started by now: the student logs it as held from the home page.
    const wait = start.getTime() - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 1_000));
    await follow(s0, s0.getByRole('link', { name: 'Home', exact: true }), /\/$/);
    await visit(s0, 'student-home-running');
    await follow(s0, s0.getByRole('link', { name: `Your pair with ${leader0.name}` }).first(), /\/pairs\/\d+$/);
    await s0.getByLabel('How long you met, in minutes').fill('90');
    await follow(s0, s0.getByRole('button', { name: 'Log as held' }));
    assert.match(await mainText(s0), /met for 1 hour 30 minutes/);
    await visit(s0, 'student-meeting-held');

    // --- Closing, pair by pair: the pair that met completed, the other never met.
    await toCycle(c);
    for (let step = 0; step < 3 && !(await mainText(c)).includes('This cycle is closed'); step++) {
      await follow(c, c.locator('main form[action$="/advance"] button'));
      await visit(c, `confirm-advance-${step}`);
      if (await c.getByRole('heading', { name: 'Did each pair complete?' }).count()) {
        // One meeting of nine sessions is suggested as ended early; the coordinator knows
        // this pair finished its work, and says so. The pair that never met has no choice.
        const met = c.getByRole('group', { name: new RegExp(`^${STUDENTS[0].name} and`) });
        assert.match(await met.textContent(), /met 1 time, 1 hour 30 minutes of the 6 hours aimed for/);
        await met.getByLabel('Completed').check();
        const never = c.getByRole('group', { name: new RegExp(`^${STUDENTS[1].name} and`) });
        assert.match(await never.textContent(), /Ended early: this pair never met/);
      }
      await follow(c, c.locator('main form[method="post"] button[type="submit"]').first(), /\/cycles\/\d+$/);
      await visit(c, `cycle-advanced-${step}`);
    }
    assert.match(await mainText(c), /2 pairs: 1 completed, 1 ended early/);
  } finally {
    for (const ctx of contexts) await ctx.close();
  }
});
