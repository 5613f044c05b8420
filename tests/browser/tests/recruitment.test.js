// A student answers the open call; the coordinator reviews the application and the pool's
// composition; the student sees the decision and withdraws a consent. Every page visited is
// screenshotted and checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, COORDINATOR } from '../lib/harness.js';

const STUDENT = 'student@demo.flipside.test';
const OWN_WORDS = 'First in my family to study <here> & proud of it';

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

test('a student applies, the coordinator decides, the student sees it and withdraws a consent', async () => {
  const student = await env.browser.newContext();
  const coordinator = await env.browser.newContext();
  const s = await student.newPage();
  const c = await coordinator.newPage();
  const visit = visitor('recruitment');
  try {
    await signIn(s, env.baseUrl, STUDENT);
    const call = s.getByRole('link', { name: /Reverse Mentoring at Northmoor, 2026\/27/ });
    await call.click();
    await s.waitForURL(/\/cycles\/\d+\/apply$/);
    const cycleUrl = s.url().replace(/\/apply$/, '');
    await visit(s, 'apply');

    // Without consent to take part the form comes back with the error and the input kept.
    await s.getByLabel('How you describe yourself, in your words (optional)').fill(OWN_WORDS);
    await s.getByRole('button', { name: /Send my application/ }).click();
    await s.getByRole('heading', { name: 'There is a problem' }).waitFor();
    assert.ok((await s.title()).startsWith('Error:'), await s.title());
    assert.equal(await s.getByLabel('How you describe yourself, in your words (optional)').inputValue(), OWN_WORDS);
    await visit(s, 'apply-error');

    const labels = s.getByRole('group', { name: /How do you describe yourself/ }).getByRole('checkbox');
    await labels.nth(0).check();
    await labels.nth(2).check();
    await s.getByLabel('Course').fill('BSc Biosciences');
    const level = s.getByLabel('Level of study');
    const levels = await level.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    await level.selectOption(levels[0]);
    await s.getByLabel('Interests').fill('belonging, assessment');
    await s.getByRole('group', { name: /When could you usually meet/ }).getByRole('checkbox').first().check();
    await s.getByLabel('What do you hope to change?').fill('How feedback is given in first year.');
    await s.locator('#consent_take_part').check();
    await s.locator('#consent_research').check();
    await Promise.all([
      s.waitForURL(/\/my-application$/),
      s.getByRole('button', { name: /Send my application/ }).click(),
    ]);
    const mine = await s.locator('main').textContent();
    assert.ok(mine.includes(OWN_WORDS), 'own words shown as text');
    assert.equal(await s.locator('main here').count(), 0, 'own words are not parsed as markup');
    await visit(s, 'my-application');

    // The coordinator reviews it.
    await signIn(c, env.baseUrl, COORDINATOR);
    await c.goto(`${cycleUrl}/applications`);
    await visit(c, 'applications');
    await c.getByRole('link', { name: 'Jordan Baptiste' }).click();
    await c.waitForURL(/\/applications\/\d+$/);
    assert.ok((await c.locator('main').textContent()).includes(OWN_WORDS));
    await visit(c, 'review');
    await c.locator('input[name="decision"][value="accepted"]').check();
    await c.getByLabel('Message to the applicant').fill('Welcome aboard: matching starts next week.');
    await Promise.all([
      c.waitForLoadState('load'),
      c.getByRole('button', { name: 'Save the decision' }).click(),
    ]);
    await c.goto(`${cycleUrl}/applications/composition`);
    const comp = await c.locator('main').textContent();
    assert.match(comp, /suppressed|rule/i, 'the table names its disclosure rule');
    await visit(c, 'composition');

    // The student sees the decision and withdraws research consent.
    await s.reload();
    const after = await s.locator('main').textContent();
    assert.ok(after.includes('Welcome aboard: matching starts next week.'), 'the message reaches the applicant');
    const withdrawals = s.getByRole('button', { name: /^Withdraw/ });
    const before = await withdrawals.count();
    assert.ok(before >= 2, `a withdraw button per consent given (${before})`);
    await Promise.all([s.waitForLoadState('load'), withdrawals.last().click()]);
    await s.getByRole('button', { name: /^Withdraw/ }).first().waitFor();
    assert.equal(await s.getByRole('button', { name: /^Withdraw/ }).count(), before - 1, 'one consent fewer to withdraw');
    await visit(s, 'after-withdrawal');
  } finally {
    await student.close();
    await coordinator.close();
  }
});
