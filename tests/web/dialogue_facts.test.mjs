// What the readout, point and representative sections work out from the API's JSON
// (frankly/web/dialogues/facts.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  appointable,
  baseOf,
  dateWords,
  followUpBody,
  mayFollowUp,
  memberName,
  pointState,
  publishable,
  publishedHistory,
  representativesBySide,
  sideName,
  when,
} from '../../frankly/web/dialogues/facts.js';

const US = 's-us';
const RU = 's-ru';
const dialogue = {
  id: 'd-1', title: 'Talks', convener: 'mb-ann',
  you: { id: 'mb-ann', name: 'Ann', side: US, convener: true, lead: true },
  sides: [{ id: US, name: 'United States', zone: 'America/New_York', lead: 'mb-ann' },
    { id: RU, name: 'Russian Federation', zone: 'Europe/Moscow', lead: 'mb-boris' }],
  members: [{ id: 'mb-ann', name: 'Ann', side: US }, { id: 'mb-boris', name: 'Boris', side: RU },
    { id: 'mb-carol', name: 'Carol', side: US }],
  meetings: [],
};
const carol = { id: 'mb-carol', name: 'Carol', side: US, convener: false, lead: false };
const boris = { id: 'mb-boris', name: 'Boris', side: RU, convener: false, lead: true };

/** @param {number} number @param {boolean} published */
const rev = (number, published = false) => ({ number, text: `t${number}`, html: `<p>t${number}</p>`, author: 'mb-ann', at: '2027-03-16T15:00:00Z', published });

test('names behind ids, and words for ids the dialogue no longer lists', () => {
  assert.equal(memberName(dialogue, 'mb-carol'), 'Carol');
  assert.equal(memberName(dialogue, 'mb-gone'), 'a former member');
  assert.equal(sideName(dialogue, RU), 'Russian Federation');
  assert.equal(sideName(dialogue, 's-x'), 'another side');
});

test('an instant is shown in the zone asked for', () => {
  assert.equal(when('2027-03-16T15:00:00Z', 'Europe/Moscow'), 'Tue 16 Mar 2027, 18:00');
  assert.equal(when('2027-03-16T15:00:00Z', 'America/New_York'), 'Tue 16 Mar 2027, 11:00');
  assert.match(when('2027-03-16T15:00:00Z', 'Not/A_Zone'), /16 Mar 2027/);
  assert.equal(when('not a time', 'UTC'), 'not a time');
});

test('a save is based on the latest revision, 0 before the first', () => {
  assert.equal(baseOf([]), 0);
  assert.equal(baseOf([rev(1), rev(3), rev(2)]), 3);
});

test('the lead may publish only the latest revision, once; after a publish it is a correction', () => {
  assert.equal(publishable([]), null);
  assert.deepEqual(publishable([rev(1)]), { number: 1, correction: false });
  assert.equal(publishable([rev(1, true)]), null);
  assert.deepEqual(publishable([rev(1, true), rev(2)]), { number: 2, correction: true });
  assert.deepEqual(publishable([rev(1), rev(2)]), { number: 2, correction: false });
});

test('the published history is newest first, or the one revision when the server sends no history', () => {
  assert.deepEqual(publishedHistory(undefined), []);
  assert.deepEqual(publishedHistory({ side: US, revision: rev(2, true) }).map((r) => r.number), [2]);
  const history = [rev(1, true), rev(3, true)];
  assert.deepEqual(publishedHistory({ side: US, revision: rev(3, true), history }).map((r) => r.number), [3, 1]);
});

test('a point says who confirmed it and who is waited for; only a waited-for lead may confirm', () => {
  const point = { id: 'pt-1', text: 'Soon', html: '<p>Soon</p>', side: US, author: 'mb-carol', at: '2027-03-16T15:00:00Z',
    confirmations: [{ side: US, lead: 'mb-ann', at: '2027-03-16T16:00:00Z' }], waiting_for: [RU], agreed: false };
  const seen = pointState(point, dialogue, dialogue.you);
  assert.equal(seen.drafted, 'United States (Carol)');
  assert.deepEqual(seen.confirmed, [{ side: 'United States', lead: 'Ann', at: '2027-03-16T16:00:00Z' }]);
  assert.deepEqual(seen.waiting, ['Russian Federation']);
  assert.equal(seen.canConfirm, false); // Ann's side has confirmed
  assert.equal(pointState(point, dialogue, boris).canConfirm, true);
  assert.equal(pointState(point, dialogue, carol).canConfirm, false); // no lead
});

test('follow-ups are set up by the convener or a lead', () => {
  assert.ok(mayFollowUp(dialogue.you));
  assert.ok(mayFollowUp(boris));
  assert.ok(!mayFollowUp(carol));
});

test('representatives are grouped by the meeting\'s sides; a lead appoints from the rest of their side', () => {
  const meeting = { id: 'mt-2', topic: 'Europe', agenda: '', follows: 'mt-1', date: { kind: 'tba' }, room: 'r', sides: [US, RU],
    representatives: [{ member: 'mb-carol', side: US, topic: 'Europe' }] };
  assert.deepEqual(representativesBySide(meeting, dialogue), [
    { side: US, name: 'United States', people: [{ member: 'mb-carol', name: 'Carol', topic: 'Europe' }] },
    { side: RU, name: 'Russian Federation', people: [] },
  ]);
  assert.deepEqual(appointable(meeting, dialogue, dialogue.you).map((m) => m.name), ['Ann']);
  assert.deepEqual(appointable({ ...meeting, representatives: undefined }, dialogue, boris).map((m) => m.name), ['Boris']);
});

test('the follow-up form becomes the API\'s body, or says what is missing', () => {
  assert.deepEqual(followUpBody({ topic: '  ', agenda: '', kind: 'tba', by: '' }), { problem: 'Give the follow-up a topic.' });
  assert.deepEqual(followUpBody({ topic: 'Europe', agenda: '', kind: 'by', by: '' }), { problem: 'Choose the day it should happen by.' });
  assert.deepEqual(followUpBody({ topic: ' Europe ', agenda: '1. Dates', kind: 'by', by: '2027-04-01' }),
    { body: { topic: 'Europe', agenda: '1. Dates', date: { kind: 'by', by: '2027-04-01' } } });
  assert.deepEqual(followUpBody({ topic: 'Europe', agenda: '', kind: 'asap', by: '2027-04-01' }),
    { body: { topic: 'Europe', agenda: '', date: { kind: 'asap' } } });
});

test('a meeting\'s date in words: the server\'s line when it sent one', () => {
  assert.equal(dateWords({ kind: 'scheduled', at: '2027-03-16T15:00:00Z', shown: '18:00 in Moscow' }, 'UTC'), '18:00 in Moscow');
  assert.equal(dateWords({ kind: 'scheduled', at: '2027-03-16T15:00:00Z' }, 'Europe/Moscow'), 'Tue 16 Mar 2027, 18:00');
  assert.equal(dateWords({ kind: 'asap' }, 'UTC'), 'Date to be agreed, as soon as possible');
  assert.equal(dateWords({ kind: 'by', by: '2027-04-01' }, 'UTC'), 'Date to be agreed, by 2027-04-01');
  assert.equal(dateWords({ kind: 'tba' }, 'UTC'), 'Date to be agreed');
});
