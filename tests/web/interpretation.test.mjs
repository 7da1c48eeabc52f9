// Interpretation's pure parts (frankly/web/interpretation.js): the server's
// state read safely, what a listener hears and how loud, a booth's next step.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  FLOOR,
  boothOf,
  directionLabel,
  fromWire,
  gains,
  hearing,
  interpreterBadge,
  languageName,
  msidTrackOf,
  normalLanguage,
  partnerOf,
  relayChoices,
  speakingInto,
  switchTarget,
} from '../../frankly/web/interpretation.js';

const WIRE = {
  type: 'interpretation',
  languages: ['en', 'ru', 'fr'],
  booths: [
    { pair: ['en', 'ru'], members: ['p-a', 'p-b'], live: 'p-a', into: 'ru' },
    { pair: ['en', 'fr'], members: ['p-c'], live: 'p-c', into: 'fr' },
  ],
  relay: { 'p-c': 'ru' },
};
const names = (/** @type {string} */ id) => ({ 'p-a': 'Ivan', 'p-b': 'Irina' })[id] ?? id;

test("the server's interpretation is read as it is, and nonsense as none", () => {
  const i = fromWire(WIRE);
  assert.deepEqual(i.languages, ['en', 'ru', 'fr']);
  assert.equal(boothOf(i, 'p-b')?.live, 'p-a');
  assert.equal(speakingInto(i, 'fr')?.members[0], 'p-c');
  assert.equal(speakingInto(i, 'en'), null);
  assert.deepEqual(i.relay, { 'p-c': 'ru' });
  assert.deepEqual(fromWire(null), { languages: [], booths: [], relay: {} });
  assert.deepEqual(fromWire({ booths: [{ pair: ['en'] }, 'x'], relay: 3 }).booths, []);
});

test('a channel plays over the floor at the chosen volume only while someone is live into it', () => {
  const i = fromWire(WIRE);
  assert.deepEqual(gains(i, FLOOR, 0.2), { floor: 1, channel: 0 });
  assert.deepEqual(gains(i, 'ru', 0.2), { floor: 0.2, channel: 1 });
  assert.deepEqual(gains(i, 'ru', 0), { floor: 0, channel: 1 }); // the original off
  assert.deepEqual(gains(i, 'ru', 7), { floor: 1, channel: 1 });
  // Nobody speaks into English: the floor stays at full volume.
  assert.deepEqual(gains(i, 'en', 0.2), { floor: 1, channel: 0 });
});

test('the language menu says what is true: who interprets, or nobody yet', () => {
  const i = fromWire(WIRE);
  assert.match(hearing(i, 'ru', names), /Ivan interpreting into ru/);
  assert.equal(hearing(i, 'en', names), 'No interpreter for en yet: you hear the floor.');
  assert.match(hearing(i, FLOOR, names), /floor/);
});

test('a booth switches to the other language of its pair, unless another booth speaks into it', () => {
  const i = fromWire(WIRE);
  const enRu = /** @type {import('../../frankly/web/interpretation.js').Booth} */ (boothOf(i, 'p-a'));
  assert.equal(directionLabel(enRu), 'Speaking: en → ru');
  assert.equal(switchTarget(i, enRu), 'en');
  const busy = fromWire({ ...WIRE, booths: [WIRE.booths[0], { ...WIRE.booths[1], into: 'en' }] });
  assert.equal(switchTarget(busy, /** @type {any} */ (boothOf(busy, 'p-a'))), null);
  assert.equal(partnerOf(enRu, 'p-a'), 'p-b');
  assert.deepEqual(relayChoices(i, enRu), ['en', 'fr']); // never the channel it speaks into
  assert.match(directionLabel({ pair: ['en', 'ru'], members: [], live: null, into: null }), /taken/);
});

test('tiles and the people list name the pair and the live voice, in words for a screen reader', () => {
  const i = fromWire(WIRE);
  assert.deepEqual(interpreterBadge(i, 'p-a'), {
    pair: 'Interpreter en ⇄ ru',
    live: 'live into ru',
    spoken: 'Interpreter between English and Russian, live into Russian',
  });
  assert.deepEqual(interpreterBadge(i, 'p-b'), { pair: 'Interpreter en ⇄ ru', live: null, spoken: 'Interpreter between English and Russian' });
  assert.equal(interpreterBadge(i, 'p-z'), null);
  assert.equal(languageName('qaa'), 'qaa'); // a tag with no name stays a tag
});

test('a typed language is taken as the server takes it', () => {
  assert.equal(normalLanguage(' RU '), 'ru');
  assert.equal(normalLanguage('pt-BR'), 'pt-BR');
  assert.equal(normalLanguage('english'), null);
  assert.equal(normalLanguage('en-ru-xx-yy'), null);
  assert.equal(normalLanguage(''), null);
});

test("a track's id is read from its m-line's msid", () => {
  const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=msid:s1 mic-1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:2', 'a=msid:- chan-7', ''].join('\r\n');
  assert.equal(msidTrackOf(sdp, '2'), 'chan-7');
  assert.equal(msidTrackOf(sdp, '0'), 'mic-1');
  assert.equal(msidTrackOf(sdp, '9'), null);
});
