// The chat kept on the device for one meeting (frankly/web/chatlog.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  MAX_AGE,
  MAX_CHARS,
  MAX_ENTRIES,
  chatLabel,
  emptyLog,
  find,
  markBefore,
  messageKey,
  parseLog,
  remember,
  sealedNote,
  serialize,
  staleKeys,
  storageKey,
} from '../../frankly/web/chatlog.js';

const NOW = 1_764_400_000;

/** @param {number} i @param {Partial<import('../../frankly/web/chatlog.js').Entry>} more */
function entry(i, more = {}) {
  return { key: `p-a:${i}`, from: 'p-a', name: 'Ada', text: `hello ${i}`, ts: NOW + i, mine: false, privacy: 'encrypted', ...more };
}

test('a log kept and read back holds what we could read, in order of sending', () => {
  let log = emptyLog(NOW);
  log = remember(log, entry(2));
  log = remember(log, entry(1, { mine: true }));
  log = remember(log, entry(2)); // the same message again (a replay): kept once
  const back = parseLog(serialize(log, NOW + 5), NOW + 10);
  assert.ok(back);
  assert.deepEqual(back.entries.map((e) => [e.key, e.mine]), [['p-a:1', true], ['p-a:2', false]]);
  assert.equal(back.saved, NOW + 5);
  assert.equal(find(back, 'p-a:2')?.text, 'hello 2');
  assert.equal(find(back, 'p-a:3'), null);
});

test('a message is named by its sender and id, which a restart does not reuse together', () => {
  assert.equal(messageKey({ from: 'p-91c2', id: 7 }), 'p-91c2:7');
  assert.equal(storageKey('team', 'abc'), 'frankly-chat:team:abc');
});

test('a broken, foreign or stale log is none', () => {
  for (const raw of [null, '', '{', '"x"', '{"v":2,"saved":1}', JSON.stringify({ v: 1 })]) {
    assert.equal(parseLog(raw, NOW), null, String(raw));
  }
  const old = serialize(emptyLog(NOW), NOW);
  assert.ok(parseLog(old, NOW + MAX_AGE));
  assert.equal(parseLog(old, NOW + MAX_AGE + 1), null);
  // Entries of the wrong shape are dropped, the rest kept.
  const mixed = JSON.stringify({ v: 1, saved: NOW, entries: [entry(1), { key: 1 }, entry(2, { privacy: 'unreadable' })], before: ['k', 3] });
  const log = parseLog(mixed, NOW);
  assert.deepEqual(log?.entries.map((e) => e.key), ['p-a:1']);
  assert.deepEqual(log?.before, ['k']);
});

test('the log is capped in count and in size, the oldest going first', () => {
  let log = emptyLog(NOW);
  for (let i = 0; i < MAX_ENTRIES + 20; i++) log = remember(log, entry(i));
  assert.equal(log.entries.length, MAX_ENTRIES);
  assert.equal(log.entries[0].key, 'p-a:20');
  let big = emptyLog(NOW);
  for (let i = 0; i < 100; i++) big = remember(big, entry(i, { text: 'x'.repeat(4000) }));
  const out = serialize(big, NOW);
  assert.ok(out.length <= MAX_CHARS);
  const kept = parseLog(out, NOW)?.entries ?? [];
  assert.ok(kept.length > 0 && kept.length < 100);
  assert.equal(kept[kept.length - 1].key, 'p-a:99');
});

test('only what the first welcome replayed was sent before we joined', () => {
  let log = markBefore(emptyLog(NOW), 'p-b:1');
  log = markBefore(log, 'p-b:1');
  assert.deepEqual(log.before, ['p-b:1']);
  assert.equal(sealedNote(log, 'p-b:1'), 'before');
  assert.equal(sealedNote(log, 'p-b:2'), 'away'); // sent while we had left
  assert.equal(sealedNote(null, 'p-b:2'), 'before'); // nothing kept: as ever
});

test('opening a meeting drops the other meetings of its room and stale logs, nothing else', () => {
  const fresh = serialize(emptyLog(NOW), NOW);
  const store = new Map([
    ['frankly-chat:team:new', fresh],
    ['frankly-chat:team:old', fresh],
    ['frankly-chat:team-b:x', fresh],
    ['frankly-chat:other:y', serialize(emptyLog(NOW - MAX_AGE - 10), NOW - MAX_AGE - 10)],
    ['unrelated', 'kept'],
  ]);
  const dropped = staleKeys([...store.keys()], (k) => store.get(k) ?? null, 'team', 'new', NOW);
  assert.deepEqual(dropped.sort(), ['frankly-chat:other:y', 'frankly-chat:team:old']);
});

test('the chat button says how many messages are unread', () => {
  assert.equal(chatLabel(0), 'Chat');
  assert.equal(chatLabel(3), 'Chat, 3 unread');
  assert.equal(chatLabel(250), 'Chat, 99+ unread');
});
