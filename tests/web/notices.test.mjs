// What someone is told when a meeting ends for good (frankly/web/ui/notices.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FATAL_ERROR_CODES, FINAL_CLOSE_CODES } from '../../frankly/web/signaling.js';
import { CLOSE_NOTICES, ERROR_NOTICES, endedDetail, noticeFor } from '../../frankly/web/ui/notices.js';
import { FATAL } from '../../frankly/web/wire.js';

/** @param {number} code @param {string} [error] */
const ended = (code, error) => ({ code, reason: '', error: error ? { type: 'error', code: error, message: `msg ${error}` } : null });

test('every error that ends a meeting for good has words of its own', () => {
  for (const code of FATAL_ERROR_CODES) {
    // timeout (4408), internal-error (1011): the client comes back by itself.
    if (!FINAL_CLOSE_CODES.has(FATAL[/** @type {keyof typeof FATAL} */ (code)])) continue;
    assert.ok(Object.hasOwn(ERROR_NOTICES, code), `no notice for the error ${code}`);
    const notice = noticeFor(ended(4403, code), 'r');
    assert.ok(notice.screen !== 'notice' || notice.title !== 'Disconnected', code);
  }
  assert.deepEqual(Object.keys(ERROR_NOTICES).filter((c) => !FATAL_ERROR_CODES.has(c)), []);
  assert.ok(!Object.hasOwn(ERROR_NOTICES, 'timeout') && !Object.hasOwn(ERROR_NOTICES, 'internal-error'));
});

test('the close codes in the table are final ones', () => {
  for (const code of Object.keys(CLOSE_NOTICES)) assert.ok(FINAL_CLOSE_CODES.has(Number(code)), code);
});

test('a full room names the room, by error or by close code alone', () => {
  for (const e of [ended(4409, 'room-full'), ended(4409)]) {
    const notice = noticeFor(e, 'board');
    assert.equal(notice.screen, 'notice');
    assert.equal(notice.screen === 'notice' && notice.title, 'This meeting is full');
    assert.match(notice.screen === 'notice' ? notice.text : '', /“board”/);
  }
});

test('a password error goes back to the pre-join screen, saying why', () => {
  assert.deepEqual(noticeFor(ended(4401, 'password-required'), 'r'), {
    screen: 'password',
    why: 'This meeting needs a password.',
  });
  assert.deepEqual(noticeFor(ended(4401, 'wrong-password'), 'r'), {
    screen: 'password',
    why: 'That password is not right. Try again.',
  });
  assert.deepEqual(noticeFor(ended(4400, 'invalid-room'), 'r'), { screen: 'invalid' });
});

test('the error decides before the close code; the close code when the error says nothing', () => {
  const removed = noticeFor(ended(4403, 'removed'), 'r');
  assert.equal(removed.screen === 'notice' && removed.title, 'You were removed from the meeting');
  const timedOut = noticeFor(ended(1000, 'timeout'), 'r');
  assert.equal(timedOut.screen === 'notice' && timedOut.title, 'You are no longer in the meeting');
  const ended4410 = noticeFor(ended(4410), 'r');
  assert.match(ended4410.screen === 'notice' ? ended4410.text : '', /^A host ended this meeting for everyone\./);
  for (const code of [1009, 4400, 4422, 4429]) {
    const n = noticeFor(ended(code), 'r');
    assert.equal(n.screen === 'notice' && n.title, 'The connection to the meeting broke off', String(code));
  }
});

test('each invite problem has its own words', () => {
  const texts = ['invite-expired', 'invite-wrong-room', 'invite-invalid'].map((c) => {
    const n = noticeFor(ended(4403, c), 'r');
    assert.equal(n.screen === 'notice' && n.title, 'This invite link does not work');
    return n.screen === 'notice' ? n.text : '';
  });
  assert.equal(new Set(texts).size, 3);
});

test('an expired dialogue invite says to go back to the dialogue, with a link there', () => {
  const mine = noticeFor(ended(4403, 'invite-expired'), 'dlg-1', 'dl-abc');
  assert.equal(mine.screen, 'notice');
  assert.match(mine.screen === 'notice' ? mine.text : '', /Go back to the dialogue’s page/);
  assert.deepEqual(mine.screen === 'notice' && mine.link, { href: '/dialogues/dl-abc', text: 'Back to the dialogue' });
  const plain = noticeFor(ended(4403, 'invite-expired'), 'r');
  assert.ok(plain.screen === 'notice' && !plain.link && /Ask for a new link/.test(plain.text));
});

test('a meeting of representatives says who may attend', () => {
  const n = noticeFor(ended(4403, 'representatives-only'), 'dlg-1');
  assert.equal(n.screen === 'notice' && n.title, 'Only the appointed representatives may attend');
});

test('anything unknown is a plain disconnect', () => {
  assert.deepEqual(noticeFor(ended(1006), 'r'), {
    screen: 'notice',
    title: 'You were disconnected',
    text: 'The connection to the meeting ended. Check your network, then try again.',
    again: true,
  });
  assert.equal(noticeFor(ended(1006, 'toString'), 'r').screen, 'notice'); // no prototype lookups
});

test('the codes go in a details line for support, the close code first', () => {
  assert.equal(endedDetail(ended(4403, 'representatives-only')), 'Details for support: 4403 representatives-only');
  assert.equal(endedDetail(ended(1006)), 'Details for support: 1006');
});

/** Every notice either table (or the fallback) can give, by error and close code. */
function everyNotice() {
  const errors = Object.keys(ERROR_NOTICES).map((c) => noticeFor(ended(4403, c), 'r', 'dl-1'));
  const closes = [...Object.keys(CLOSE_NOTICES), '1006'].map((c) => noticeFor(ended(Number(c)), 'r'));
  return [...errors, ...closes].filter((n) => n.screen === 'notice');
}

test('no notice shows a code or a jargon word to people', () => {
  for (const n of everyNotice()) {
    if (n.screen !== 'notice') continue;
    for (const words of [n.title, n.text]) {
      assert.doesNotMatch(words, /\b\d{3,4}\b/, words); // close codes: 4403, 4409, 4410…
      assert.doesNotMatch(words, /\b[a-z]+-[a-z]+(-[a-z]+)*\b/, words); // error codes: room-full…
      assert.doesNotMatch(words, /protocol|close code|websocket/i, words);
    }
  }
});

test('every notice says what the person can do next', () => {
  const onward = /try again|ask|reload|wait|go back|check|start a new|tell the host|open the link|another/i;
  for (const n of everyNotice()) {
    if (n.screen !== 'notice') continue;
    assert.ok(onward.test(n.text) || n.link, `${n.title}: ${n.text}`);
  }
});

test('after an end-for-all or a dead invite there is nothing to try again', () => {
  const end = noticeFor(ended(4410), 'r');
  assert.equal(end.screen === 'notice' && end.again, false);
  for (const code of ['invite-expired', 'invite-wrong-room', 'invite-invalid', 'invite-ended', 'invite-revoked', 'representatives-only']) {
    const n = noticeFor(ended(4403, code), 'r');
    assert.equal(n.screen === 'notice' && n.again, false, code);
  }
  for (const e of [ended(4409, 'room-full'), ended(4403, 'removed'), ended(1006), ended(1000)]) {
    const n = noticeFor(e, 'r');
    assert.equal(n.screen === 'notice' && n.again, true, String(e.code));
  }
});
