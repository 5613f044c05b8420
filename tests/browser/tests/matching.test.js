// The coordinator invites a staff leader; the leader opens the emailed link (signed out),
// makes a mistake, then accepts; the link cannot be used again. The coordinator previews the
// matching, swaps two pairs' mentors, publishes, and sees the pairs. The leader, who has no
// single sign-on, chooses a password from the link emailed on accepting, signs in and opens
// their pair by the link in the pairing email, followed signed out: sign-in returns her to
// that page. Every page visited is screenshotted and checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const INVITEE = 'noor.haddad@demo.flipside.test';
const LEADER_PASSWORD = 'lantern-orchard-velvet';

let env;
let mailDir;
before(async () => {
  // Emails go to files here (the development transport), so the test can read the link.
  mailDir = await mkdtemp(path.join(tmpdir(), 'flipside-mail-'));
  process.env.FLIPSIDE_MAIL_DIR = mailDir;
  process.env.FLIPSIDE_MAIL_POLL_SECONDS = '1';
  env = await setUp();
});
after(async () => {
  await env?.close();
  if (mailDir) await rm(mailDir, { recursive: true, force: true });
});

/** Decodes a message's text whether it was sent quoted-printable or base64. */
function decode(eml) {
  const qp = eml.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const b64 = (eml.split(/\r?\n\r?\n/).slice(1).join('\n').match(/^[A-Za-z0-9+/=\r\n]+$/m) || [''])[0];
  let decoded = '';
  try { decoded = Buffer.from(b64.replace(/\s+/g, ''), 'base64').toString('utf8'); } catch { /* not base64 */ }
  return `${qp}\n${decoded}`;
}

/** Waits for an email to `address` with a link matching `pattern` and returns its token. */
async function emailedToken(address, pattern) {
  for (let i = 0; i < 100; i++) {
    for (const name of await readdir(mailDir).catch(() => [])) {
      const text = decode(await readFile(path.join(mailDir, name), 'utf8'));
      if (!text.includes(address)) continue;
      const m = text.match(pattern);
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${address} with ${pattern} in ${mailDir}`);
}

test('a leader accepts an emailed invitation, the coordinator matches, swaps and publishes, and the leader signs in without SSO to their pair', async () => {
  const coordinator = await env.browser.newContext();
  const staff = await env.browser.newContext();
  const c = await coordinator.newPage();
  const s = await staff.newPage();
  const visit = visitor('matching');
  try {
    await signIn(c, env.baseUrl, COORDINATOR);
    await c.goto(`${env.baseUrl}/schemes`);
    await c.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
    await c.getByRole('link', { name: '2026/27' }).click();
    await c.waitForURL(/\/cycles\/\d+$/);
    const cycleUrl = c.url();
    await visit(c, 'cycle');

    await c.getByRole('link', { name: 'Staff invitations' }).click();
    await c.waitForURL(/\/invitations$/);
    await visit(c, 'invitations');
    // An invitation without an address comes back with the error next to the field.
    await c.getByLabel('Name').fill('Dr Noor Haddad');
    await c.getByRole('button', { name: 'Send the invitation' }).click();
    await c.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.equal(await c.getByLabel('Name').inputValue(), 'Dr Noor Haddad');
    await visit(c, 'invitations-error');
    await c.getByLabel('Email address').fill(INVITEE);
    await c.getByLabel('School (optional)').selectOption({ label: 'School of History' });
    await Promise.all([
      c.waitForURL(/\/invitations$/),
      c.getByRole('button', { name: 'Send the invitation' }).click(),
    ]);
    assert.ok((await c.locator('main').textContent()).includes(`Invitation sent to Dr Noor Haddad (${INVITEE})`));

    // The leader opens the link without signing in.
    const token = await emailedToken(INVITEE, /\/invitations\/([0-9a-f]{64})/);
    await s.goto(`${env.baseUrl}/invitations/${token}`);
    await visit(s, 'answer');
    await s.getByLabel('Your interests').fill('belonging, assessment');
    await s.getByRole('button', { name: 'Accept the invitation' }).click();
    await s.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.equal(await s.getByLabel('Your interests').inputValue(), 'belonging, assessment');
    await visit(s, 'answer-error');
    await s.locator('#avail-mon-pm').check();
    await s.locator('#avail-wed-pm').check();
    await Promise.all([
      s.waitForURL(/\/invitations\/answered$/),
      s.getByRole('button', { name: 'Accept the invitation' }).click(),
    ]);
    assert.ok((await s.locator('main').textContent()).includes('Thank you for accepting'));
    await visit(s, 'answered');
    // Used once: the link is refused.
    const again = await s.goto(`${env.baseUrl}/invitations/${token}`);
    assert.equal(again.status(), 410);
    assert.ok((await s.locator('main').textContent()).includes('already been accepted'));
    await visit(s, 'link-used');

    // Accepting sends a single-use link to choose a password (the demo has no SSO for her).
    const setToken = await emailedToken(INVITEE, /\/password\/set\/([0-9a-f]{64})/);
    await s.goto(`${env.baseUrl}/password/set/${setToken}`);
    assert.ok((await s.locator('main').textContent()).includes(INVITEE));
    await visit(s, 'set-password');
    await s.getByLabel('New password', { exact: true }).fill('password123');
    await s.getByLabel('New password again').fill('password123');
    await s.getByRole('button', { name: 'Set my password' }).click();
    await s.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await visit(s, 'set-password-error');
    await s.getByLabel('New password', { exact: true }).fill(LEADER_PASSWORD);
    await s.getByLabel('New password again').fill(LEADER_PASSWORD);
    await Promise.all([
      s.waitForURL(/\/sign-in/),
      s.getByRole('button', { name: 'Set my password' }).click(),
    ]);
    assert.ok((await s.locator('main').textContent()).includes('Your password is set'));
    // The link worked once.
    const used = await s.goto(`${env.baseUrl}/password/set/${setToken}`);
    assert.equal(used.status(), 404);

    await c.reload();
    const row = c.getByRole('row', { name: /Dr Noor Haddad/ });
    assert.ok((await row.textContent()).includes('Accepted'));

    // Matching: the optimum, then a swap priced against it, then publishing.
    await c.goto(`${cycleUrl}/matching`);
    assert.ok((await c.locator('main').textContent()).includes('(the optimum)'));
    await visit(c, 'matching');
    await Promise.all([
      c.waitForURL(/swap_from=/),
      c.getByRole('button', { name: /^Swap/ }).first().click(),
    ]);
    assert.match(await c.locator('main').textContent(), /your changes cost \d+ more/);
    await visit(c, 'matching-swapped');
    const publish = c.getByRole('button', { name: /^Publish \d+ pairs?$/ });
    const n = Number((await publish.textContent()).match(/\d+/)[0]);
    await Promise.all([c.waitForURL(/\/pairs$/), publish.click()]);
    const pairs = await c.locator('main').textContent();
    // The pairs page counts them as the cycle page does.
    assert.ok(pairs.includes(`${n} ${n === 1 ? 'pair' : 'pairs'}: ${n} active.`), pairs);
    await visit(c, 'pairs');
    await c.goto(cycleUrl);
    // The cycle page counts each pair once.
    const counted = `${n} ${n === 1 ? 'pair' : 'pairs'}: ${n} active.`;
    assert.ok((await c.locator('main').textContent()).includes(counted), counted);

    // The leader follows the pairing email's link while signed out: she is asked to sign in
    // and, once signed in with the password she chose, lands on that pair's page.
    const pairPath = await emailedToken(INVITEE, /https?:\/\/[^\s/]+(\/pairs\/\d+)/);
    await s.goto(`${env.baseUrl}${pairPath}`);
    await s.waitForURL((u) => u.pathname === '/sign-in' && u.searchParams.get('next') === pairPath);
    await visit(s, 'leader-sign-in-from-email');
    await s.getByLabel('Email address').fill(INVITEE);
    await s.getByLabel('Password', { exact: true }).fill(LEADER_PASSWORD);
    await Promise.all([
      s.waitForURL((u) => u.pathname === pairPath),
      s.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await visit(s, 'leader-pair-from-email');
    // Home lists the same pair.
    await s.goto(`${env.baseUrl}/`);
    await visit(s, 'leader-home');
    const pairLink = s.getByRole('link', { name: /^Your pair with / }).first();
    assert.equal(await pairLink.getAttribute('href'), pairPath);
    const partner = (await pairLink.textContent()).replace(/^Your pair with /, '').trim();
    assert.ok(partner.length > 0);
    await Promise.all([s.waitForURL(/\/pairs\/\d+$/), pairLink.click()]);
    assert.ok((await s.locator('main').textContent()).includes(partner));
    await visit(s, 'leader-pair');
  } finally {
    await coordinator.close();
    await staff.close();
  }
});
