// Reflective chats (issue 11): the demo coordinator records a chat by uploading a WebVTT
// transcript, codes it with the script (selecting words with the mouse's selection) and again
// in a context without JavaScript (ticking numbered passages); then, as a participant of last
// year's cycle (the demo coordinator took part as a mentee), reads her own chat and asks for
// a passage to be removed, and the request is accepted. Every page is checked with axe-core at
// 1280 and 390 CSS pixels wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, signIn, visitor, checkA11y, COORDINATOR } from '../lib/harness.js';

const VTT = `WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>What stands out when you look back on the meetings?</v>

2
00:00:05.000 --> 00:00:09.000
<v Mentor>She came back with an answer about the library hours, and nobody had done that before.</v>

3
00:00:10.000 --> 00:00:12.000
<v Interviewer>What would you tell someone taking part next year?</v>

4
00:00:13.000 --> 00:00:16.000
<v Mentor>Say what your week is really like. They listen.</v>
`;

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.close(); });

/** From the home page to last year's cycle of the institutional scheme's chats. */
async function openPastChats(page) {
  await page.goto(`${env.baseUrl}/schemes`);
  await page.getByRole('link', { name: 'Reverse Mentoring at Northmoor' }).first().click();
  await page.waitForURL(/\/schemes\/\d+$/);
  await page.getByRole('link', { name: /2025\/26/ }).first().click();
  await page.waitForURL(/\/cycles\/\d+$/);
  await page.getByRole('link', { name: 'Reflective chats: record, read and code' }).click();
  await page.waitForURL(/\/cycles\/\d+\/chats$/);
}

test('a chat is recorded by upload and coded with and without JavaScript; a participant asks for a removal', async () => {
  const wide = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const narrowNoJs = await env.browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await wide.newPage();
  const plain = await narrowNoJs.newPage();
  const visit = visitor('chats');
  try {
    await signIn(page, env.baseUrl, COORDINATOR);
    await openPastChats(page);
    await visit(page, 'list-1280');

    // Record a chat by uploading a .vtt transcript.
    await page.getByRole('link', { name: 'Record a chat' }).click();
    await page.waitForURL(/\/chats\/new$/);
    await visit(page, 'new-1280');
    const option = await page.locator('#participant option:not([value=""])').first();
    const participantName = (await option.textContent()).split(' — ')[0];
    await page.getByLabel('Participant').selectOption({ index: 1 });
    await page.getByLabel('Date of the chat').fill('2026-06-12');
    await page.getByLabel('Mid-cycle').check();
    await page.getByLabel('Or upload a transcript').setInputFiles({ name: 'teams-export.vtt', mimeType: 'text/vtt', buffer: Buffer.from(VTT) });
    await Promise.all([
      page.waitForURL(/\/chats\/\d+$/),
      page.getByRole('button', { name: 'Record the chat' }).click(),
    ]);
    await page.getByText('recorded: 4 numbered passages').waitFor();
    assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), `Chat with ${participantName}`);
    assert.equal(await page.locator('ol.passages li').count(), 4);
    assert.equal((await page.locator('#passage-2 .speaker').textContent()).trim(), 'Mentor:');
    await visit(page, 'show-1280');
    const chatPath = new URL(page.url()).pathname;

    // Code with the script: select "the library hours" in passage 2.
    await page.getByRole('link', { name: 'Code this chat' }).click();
    await page.waitForURL(/\/code$/);
    await visit(page, 'code-1280');
    await page.evaluate(() => {
      const el = document.getElementById('segment-2-text');
      const text = el.firstChild;
      const at = text.data.indexOf('the library hours');
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + 'the library hours'.length);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    });
    await page.getByText('Selected: “the library hours”').waitFor();
    await page.locator('input[name="code"]').first().check();
    await page.getByLabel('Memo (optional)').fill('Followed up: a concrete answer.');
    await Promise.all([
      page.waitForURL(/\/code$/),
      page.getByRole('button', { name: 'Code the excerpt' }).click(),
    ]);
    await page.getByText('Excerpt coded.').waitFor();
    assert.equal((await page.locator('.excerpts blockquote').first().textContent()).trim(), 'the library hours');
    await visit(page, 'code-coded-1280');

    // Without JavaScript, at 390px: tick passages 3 and 4 and a code.
    await signIn(plain, env.baseUrl, COORDINATOR);
    await plain.goto(`${env.baseUrl}${chatPath}/code`);
    assert.equal(await plain.locator('#selection-status').isVisible(), false, 'the selection status needs the script');
    await visit(plain, 'code-390-nojs');
    await plain.getByLabel('Passage 3, Interviewer').check();
    await plain.getByLabel('Passage 4, Mentor').check();
    await plain.locator('input[name="code"]').nth(1).check();
    await Promise.all([
      plain.waitForURL(/\/code$/),
      plain.getByRole('button', { name: 'Code the excerpt' }).click(),
    ]);
    await plain.getByText('Excerpt coded.').waitFor();
    assert.equal(await plain.locator('.excerpts > li').count(), 2);
    assert.match(await plain.locator('.excerpts blockquote').nth(1).textContent(), /What would you tell someone[\s\S]*They listen\./);
    await visit(plain, 'code-coded-390-nojs');
    await plain.goto(`${env.baseUrl}${chatPath}`);
    await visit(plain, 'show-390');
    await openPastChats(plain);
    await visit(plain, 'list-390');
    await plain.getByRole('link', { name: 'Record a chat' }).click();
    await visit(plain, 'new-390');
    // A bad file is named, nothing stored.
    await plain.getByLabel('Participant').selectOption({ index: 1 });
    await plain.getByLabel('Or upload a transcript').setInputFiles({ name: 'broken.vtt', mimeType: 'text/vtt', buffer: Buffer.from('not a transcript') });
    await plain.getByRole('button', { name: 'Record the chat' }).click();
    await plain.getByText('"broken.vtt" could not be read: the file is not WebVTT').first().waitFor();
    await visit(plain, 'new-error-390');

    // The participant's own view: the demo coordinator was a mentee last year.
    await page.goto(`${env.baseUrl}/`);
    await page.getByRole('link', { name: 'Read your chats' }).click();
    await page.waitForURL(/\/chats$/);
    await visit(page, 'mine-1280');
    await page.locator('main ul a[href^="/chats/"]').first().click();
    await page.getByRole('heading', { level: 1, name: 'Your reflective chat' }).waitFor();
    await visit(page, 'own-chat-1280');
    const ownPath = new URL(page.url()).pathname;
    const second = (await page.locator('#passage-2').textContent()).replace(/^\s*\S+:\s*/, '').trim();
    await page.getByRole('link', { name: 'Ask for a passage to be removed' }).click();
    await page.waitForURL(/\/removal$/);
    await visit(page, 'removal-1280');
    await page.locator('input[name="segment"][value="2"]').check();
    await page.getByLabel('Why (optional)').fill('I would rather this was not kept.');
    await Promise.all([
      page.waitForURL((u) => u.pathname === ownPath),
      page.getByRole('button', { name: 'Ask for the removal' }).click(),
    ]);
    await page.getByText('Your request has been sent').waitFor();
    await page.getByText('Waiting for an answer').first().waitFor();
    await visit(page, 'own-chat-requested-1280');
    await plain.goto(`${env.baseUrl}${ownPath}/removal`);
    await visit(plain, 'removal-390');
    await plain.goto(`${env.baseUrl}${ownPath}`);
    await visit(plain, 'own-chat-requested-390');

    // A coordinator accepts: the words are replaced by the marker.
    await Promise.all([
      page.waitForURL((u) => u.pathname === ownPath),
      page.getByRole('button', { name: /^Accept and remove/ }).click(),
    ]);
    await page.getByText('Request accepted').waitFor();
    const text = await page.locator('ol.passages').textContent();
    assert.ok(text.includes("[removed at the participant's request]"), text);
    assert.ok(!text.includes(second), `"${second}" is gone`);
    await visit(page, 'own-chat-accepted-1280');
    await checkA11y(plain, 'mine at 390');
  } finally {
    await wide.close();
    await narrowNoJs.close();
  }
});
