// The dialogue pages' pure helpers: times across zones, addresses, the history
// (frankly/web/dialogues/times.js, routes.js, history.js, known.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dayText, dateText, lengthText, timeLine, untilText, utcToZoned, zoneFor, zonedToUtc } from '../../frankly/web/dialogues/times.js';
import { deviceLink, joinLink, meetingPath, peekLink, route, withoutToken } from '../../frankly/web/dialogues/routes.js';
import { firstLine, isPast, memberName, nextMeeting, tree } from '../../frankly/web/dialogues/history.js';
import { forget, knownDialogues, remember } from '../../frankly/web/dialogues/known.js';

const moscow = { zone: 'Europe/Moscow' };
const newYork = { zone: 'America/New_York' };

test('a time reads as the server words it: the viewer first, then each side', () => {
  // The examples of frankly/dialogues/zones.py and docs/api.md.
  assert.equal(timeLine('2026-12-01T15:00:00Z', 'Europe/Moscow', [moscow, newYork]),
    'Tue 1 Dec 2026, 18:00 in Moscow · 10:00 in New York');
  assert.equal(timeLine('2027-03-16T15:00:00Z', 'Europe/Moscow', [newYork, moscow]),
    'Tue 16 Mar 2027, 18:00 in Moscow · 11:00 in New York');
  assert.equal(timeLine('2026-12-01T15:00:00Z', 'America/New_York', [moscow, newYork]),
    'Tue 1 Dec 2026, 10:00 in New York · 18:00 in Moscow');
});

test('a time on another day than the viewer\'s says which day', () => {
  assert.equal(timeLine('2026-12-01T02:30:00Z', 'Europe/Moscow', [moscow, newYork]),
    'Tue 1 Dec 2026, 05:30 in Moscow · 21:30 in New York (Mon 30 Nov 2026)');
});

test('a zone is shown once, and a viewer elsewhere comes first', () => {
  assert.equal(timeLine('2026-12-01T15:00:00Z', 'Asia/Kolkata', [moscow, moscow]),
    'Tue 1 Dec 2026, 20:30 in Kolkata · 18:00 in Moscow');
  assert.equal(timeLine('2026-12-01T15:00:00Z', 'America/Argentina/Buenos_Aires', []),
    'Tue 1 Dec 2026, 12:00 in Buenos Aires');
});

test('a time typed in a zone becomes the UTC instant, across clock changes', () => {
  assert.equal(zonedToUtc('2027-03-16T18:00', 'Europe/Moscow'), '2027-03-16T15:00:00Z');
  assert.equal(zonedToUtc('2027-01-10T10:00', 'America/New_York'), '2027-01-10T15:00:00Z'); // EST
  assert.equal(zonedToUtc('2027-07-10T10:00', 'America/New_York'), '2027-07-10T14:00:00Z'); // EDT
  // 02:30 on 14 March 2027 does not exist in New York: taken after the change (03:30 EDT).
  assert.equal(zonedToUtc('2027-03-14T02:30', 'America/New_York'), '2027-03-14T07:30:00Z');
  // 01:30 on 7 November 2027 happens twice: the first.
  assert.equal(zonedToUtc('2027-11-07T01:30', 'America/New_York'), '2027-11-07T05:30:00Z');
  assert.equal(zonedToUtc('', 'Europe/Moscow'), null);
  assert.equal(zonedToUtc('2027-13-01T10:00', 'Europe/Moscow'), null);
  assert.equal(utcToZoned('2027-03-16T15:00:00Z', 'America/New_York'), '2027-03-16T11:00');
});

test('a meeting\'s date: to agree, as soon as possible, by a day, or its time', () => {
  const sides = [moscow, newYork];
  assert.equal(dateText({ kind: 'tba' }, 'Europe/Moscow', sides), 'Date to be agreed');
  assert.equal(dateText({ kind: 'asap' }, 'Europe/Moscow', sides), 'Date to be agreed: as soon as possible');
  assert.equal(dateText({ kind: 'by', by: '2027-03-20' }, 'Europe/Moscow', sides), 'Date to be agreed: by Sat 20 Mar 2027');
  assert.equal(dateText({ kind: 'scheduled', at: '2026-12-01T15:00:00Z' }, 'Europe/Moscow', sides),
    'Tue 1 Dec 2026, 18:00 in Moscow · 10:00 in New York');
  assert.equal(dayText('2027-01-01'), 'Fri 1 Jan 2027');
});

test('how soon a link expires', () => {
  const now = Date.parse('2027-03-01T09:00:00Z');
  assert.equal(untilText('2027-03-08T09:00:00Z', now), 'in 7 days');
  assert.equal(untilText('2027-03-01T09:10:00Z', now), 'in 10 minutes');
  assert.equal(untilText('2027-03-01T09:01:00Z', now), 'in 1 minute');
  assert.equal(untilText('2027-03-01T21:00:00Z', now), 'in 12 hours');
  assert.equal(untilText('2027-03-01T08:00:00Z', now), 'expired');
});

test('a zone as people type it', () => {
  const zones = ['America/New_York', 'Europe/Moscow', 'America/Argentina/Buenos_Aires', 'UTC'];
  assert.equal(zoneFor('Europe/Moscow', zones), 'Europe/Moscow');
  assert.equal(zoneFor(' new york ', zones), 'America/New_York');
  assert.equal(zoneFor('Buenos_Aires', zones), 'America/Argentina/Buenos_Aires');
  assert.equal(zoneFor('utc', zones), 'UTC');
  assert.equal(zoneFor('Mars/Olympus', zones), null);
  assert.equal(zoneFor('', zones), null);
});

test('a meeting\'s planned length', () => {
  assert.deepEqual([15, 45, 60, 90, 120, 180].map(lengthText),
    ['15 minutes', '45 minutes', '1 hour', '90 minutes', '2 hours', '3 hours']);
});

test('the pages\' addresses', () => {
  assert.deepEqual(route('/dialogues'), { screen: 'list' });
  assert.deepEqual(route('/dialogues/'), { screen: 'list' });
  assert.deepEqual(route('/dialogues/new'), { screen: 'new' });
  assert.deepEqual(route('/dialogues/join'), { screen: 'join' });
  assert.deepEqual(route('/dialogues/d-0d6caa65de6bd94d'), { screen: 'dialogue', dialogue: 'd-0d6caa65de6bd94d' });
  assert.deepEqual(route('/dialogues/d-0d6caa65de6bd94d/meetings/mt-77aa66bb55cc44dd'),
    { screen: 'meeting', dialogue: 'd-0d6caa65de6bd94d', meeting: 'mt-77aa66bb55cc44dd' });
  assert.deepEqual(route('/dialogues/d-0d6caa65de6bd94d/device'), { screen: 'device', dialogue: 'd-0d6caa65de6bd94d' });
  assert.deepEqual(route('/readouts/ro-0123456789abcdef'), { screen: 'readout', readout: 'ro-0123456789abcdef' });
  for (const bad of ['/readouts/x', '/readouts', '/dialogues/<script>', '/dialogues/d-0d6caa65de6bd94d/meetings', '/dialogues/d-0d6caa65de6bd94d/x/y/z', '/other', '/dialogues/%E0%A4%A']) {
    assert.deepEqual(route(bad), { screen: 'missing' }, bad);
  }
  assert.equal(meetingPath('d-1234abcd', 'mt-1234abcd'), '/dialogues/d-1234abcd/meetings/mt-1234abcd');
  assert.equal(joinLink('https://f.example', 'a.b.c'), 'https://f.example/dialogues/join#token=a.b.c');
  assert.equal(deviceLink('https://f.example', 'd-1234abcd', 'x'), 'https://f.example/dialogues/d-1234abcd/device#token=x');
});

test('a link\'s token leaves the address, and says what it is without being trusted', () => {
  const claims = { dlg: 'd-0d6caa65de6bd94d', side: 's-0f1e2d3c4b5a6978', lead: true, exp: 1804496400 };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const token = `eyJhbGciOiJIUzI1NiJ9.${body}.sig`;
  assert.deepEqual(withoutToken(`https://f.example/dialogues/join#token=${token}`),
    { token, href: 'https://f.example/dialogues/join' });
  assert.deepEqual(withoutToken('https://f.example/dialogues/join'), { token: null, href: 'https://f.example/dialogues/join' });
  assert.deepEqual(peekLink(token),
    { dialogue: claims.dlg, side: claims.side, lead: true, expires: '2027-03-08T09:00:00.000Z' });
  assert.equal(peekLink('nonsense'), null);
  assert.equal(peekLink('a.!!!.c'), null);
});

/** @param {string} id @param {object} date @param {string | null} [follows] */
const meeting = (id, date, follows = null) => ({
  id, topic: id, agenda: '', follows, date, room: 'r', sides: [], proposals: [], readouts: [],
});

test('the history: follow-ups under the meeting they follow, and which meeting is next', () => {
  const now = Date.parse('2027-03-20T12:00:00Z');
  const held = meeting('mt-a', { kind: 'scheduled', at: '2027-03-16T15:00:00Z' });
  const followUp = meeting('mt-b', { kind: 'tba' }, 'mt-a');
  const later = meeting('mt-c', { kind: 'scheduled', at: '2027-04-01T15:00:00Z' }, 'mt-a');
  const again = meeting('mt-d', { kind: 'asap' }, 'mt-b');
  const roots = tree([held, followUp, later, again]);
  assert.deepEqual(roots.map((b) => b.meeting.id), ['mt-a']);
  assert.deepEqual(roots[0].followUps.map((b) => b.meeting.id), ['mt-b', 'mt-c']);
  assert.deepEqual(roots[0].followUps[0].followUps.map((b) => b.meeting.id), ['mt-d']);
  assert.ok(isPast(held, now));
  assert.equal(nextMeeting([held, followUp, later, again], now)?.id, 'mt-c'); // a time beats none
  assert.equal(nextMeeting([held, followUp], now)?.id, 'mt-b');
  assert.equal(nextMeeting([held], now), null);
  // Under way: still the next meeting until its hour is up.
  assert.equal(nextMeeting([held], Date.parse('2027-03-16T15:30:00Z'))?.id, 'mt-a');
});

test('a member who was removed is still named, as a former member', () => {
  const d = /** @type {any} */ ({
    members: [{ id: 'mb-1', name: 'Ann', side: 's-1' }],
    former: [{ id: 'mb-2', name: 'Boris', side: 's-1' }],
  });
  assert.equal(memberName(d, 'mb-1'), 'Ann');
  assert.equal(memberName(d, 'mb-2'), 'Boris (former member)');
  assert.equal(memberName(d, 'mb-3'), 'a former member');
});

test('a readout\'s first line, as plain words', () => {
  assert.equal(firstLine('\n# We talked *frankly*.\n\nMore.'), 'We talked frankly.');
  assert.equal(firstLine('- one point'), 'one point');
  assert.equal(firstLine('x'.repeat(200), 10), `${'x'.repeat(9)}…`);
});

test('the dialogues this browser is in: ids and titles, newest first', () => {
  /** @type {Map<string, string>} */
  const items = new Map();
  const where = /** @type {Storage} */ (/** @type {unknown} */ ({
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
  }));
  remember('d-1111aaaa', 'First', where);
  remember('d-2222bbbb', 'Second', where);
  remember('d-1111aaaa', 'First, renamed', where);
  assert.deepEqual(knownDialogues(where), [{ id: 'd-1111aaaa', title: 'First, renamed' }, { id: 'd-2222bbbb', title: 'Second' }]);
  forget('d-2222bbbb', where);
  assert.deepEqual(knownDialogues(where).map((k) => k.id), ['d-1111aaaa']);
  items.set('frankly.dialogues', 'not json');
  assert.deepEqual(knownDialogues(where), []);
});
