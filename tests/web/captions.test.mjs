// Live captions (frankly/web/captions.js): the state, line reconciliation, attribution, translation.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  LINE_LINGERS_MS,
  MAX_LINES,
  captionsFromWire,
  emptyBoard,
  expire,
  isEnglish,
  languageName,
  noCaptions,
  noticeWords,
  parseLine,
  placeLine,
  serverHears,
  speakerOf,
  spokenChange,
  spokenLine,
  stateWords,
  translationOf,
} from '../../frankly/web/captions.js';

/** @param {object} [more] a caption line as the captioner seals it */
const line = (more = {}) => ({
  speaker: 'p-ann',
  line: 1,
  final: false,
  text: 'hello',
  language: 'en',
  english: null,
  start: 0,
  end: 1,
  finals_only: false,
  ...more,
});

/** The texts on a board, in order. @param {{lines: {text: string}[]}} b */
const texts = (b) => b.lines.map((l) => l.text);

test('the captions state is read as the server sends it, and anything else is off', () => {
  const c = captionsFromWire({ state: 'on', transcript: true, captioner: 'p-cap', message: null });
  assert.deepEqual(c, { state: 'on', transcript: true, captioner: 'p-cap', message: null, stored: false });
  assert.equal(captionsFromWire({ state: 'on', transcript: true, stored: true }).stored, true);
  assert.deepEqual(captionsFromWire({ state: 'loud' }), noCaptions());
  assert.deepEqual(captionsFromWire(undefined), noCaptions());
  assert.equal(captionsFromWire({ state: 'failed', message: 'no models' }).message, 'no models');
});

test('the server hears the meeting from starting to off, not once it failed', () => {
  const hears = (state) => serverHears({ ...noCaptions(), state });
  assert.deepEqual(['off', 'starting', 'on', 'restarting', 'failed'].map(hears), [false, true, true, true, false]);
});

test('an opened caption is checked: a line needs its speaker, number and text', () => {
  assert.deepEqual(parseLine(JSON.stringify(line({ final: true, language: 'ru', english: 'hi' }))), line({ final: true, language: 'ru', english: 'hi' }));
  assert.equal(parseLine('not json'), null);
  assert.equal(parseLine(JSON.stringify({ speaker: 'p-ann', line: 'one', text: 'x' })), null);
  assert.equal(parseLine(JSON.stringify({ line: 1, text: 'x' })), null);
  const odd = parseLine(JSON.stringify({ speaker: 'p-ann', line: 2, text: 'x', language: 'NOT A TAG', english: '  ' }));
  assert.equal(odd?.language, 'en'); // not said: English, as the captioner treats it
  assert.equal(odd?.english, null);
});

test('a partial is replaced in place by later partials and by its final', () => {
  let b = emptyBoard();
  b = placeLine(b, line({ text: 'hel' }), 'Ann', 0);
  b = placeLine(b, line({ speaker: 'p-bo', text: 'yes' }), 'Bo', 1);
  b = placeLine(b, line({ text: 'hello the' }), 'Ann', 2);
  assert.deepEqual(texts(b), ['hello the', 'yes']);
  b = placeLine(b, line({ text: 'hello there', final: true }), 'Ann', 3);
  assert.deepEqual(texts(b), ['hello there', 'yes']);
  assert.equal(b.lines[0].final, true);
});

test('a partial that comes after its final never undoes it', () => {
  let b = placeLine(emptyBoard(), line({ text: 'hello there', final: true }), 'Ann', 0);
  const after = placeLine(b, line({ text: 'hello th' }), 'Ann', 1);
  assert.equal(after, b);
  b = placeLine(b, line({ line: 2, text: 'next' }), 'Ann', 2);
  assert.deepEqual(texts(b), ['hello there', 'next']);
});

test('the same line number of two speakers are two lines', () => {
  let b = placeLine(emptyBoard(), line({ text: 'from Ann' }), 'Ann', 0);
  b = placeLine(b, line({ speaker: 'p-bo', text: 'from Bo' }), 'Bo', 0);
  assert.deepEqual(texts(b), ['from Ann', 'from Bo']);
});

test('at most a few lines show; one pushed off never comes back', () => {
  let b = emptyBoard();
  for (let n = 1; n <= MAX_LINES + 2; n++) b = placeLine(b, line({ line: n, text: `line ${n}`, final: true }), 'Ann', n);
  assert.equal(b.lines.length, MAX_LINES);
  assert.deepEqual(texts(b), ['line 3', 'line 4', 'line 5']);
  const late = placeLine(b, line({ line: 1, text: 'line 1 again', final: true }), 'Ann', 9);
  assert.equal(late, b);
});

test('finished lines leave once the room is quiet; a partial stays for its final', () => {
  let b = placeLine(emptyBoard(), line({ text: 'done', final: true }), 'Ann', 0);
  b = placeLine(b, line({ speaker: 'p-bo', text: 'still talk' }), 'Bo', 0);
  assert.equal(expire(b, LINE_LINGERS_MS), b);
  b = expire(b, LINE_LINGERS_MS + 1);
  assert.deepEqual(texts(b), ['still talk']);
  assert.equal(placeLine(b, line({ text: 'done', final: true }), 'Ann', LINE_LINGERS_MS + 2), b);
});

test('a line is attributed to its speaker as shown now, as they were when gone, and to You', () => {
  const b = placeLine(emptyBoard(), line({ speaker: 'p-ann' }), 'Ann', 0);
  const shown = b.lines[0];
  assert.equal(speakerOf(shown, new Map([['p-ann', 'Ann #ab12']]), 'p-me'), 'Ann #ab12');
  assert.equal(speakerOf(shown, new Map(), 'p-me'), 'Ann');
  assert.equal(speakerOf(shown, new Map([['p-ann', 'Ann']]), 'p-ann'), 'You');
});

test('the English translation shows only when asked for, for speech not in English', () => {
  const ru = line({ language: 'ru', text: 'привет', english: 'hello', final: true });
  assert.equal(translationOf(ru, true), 'hello');
  assert.equal(translationOf(ru, false), null);
  assert.equal(translationOf(line({ language: 'en-GB', english: 'hello' }), true), null);
  assert.equal(translationOf(line({ language: 'ru', english: null }), true), null);
  assert.equal(translationOf(line({ language: 'de', text: 'Computer', english: 'Computer ' }), true), null);
  assert.equal(isEnglish('EN-us'), true);
  assert.equal(isEnglish('eo'), false);
});

test('a screen reader is told finished lines only, with the translation when it shows', () => {
  const [partial] = placeLine(emptyBoard(), line({ text: 'hel' }), 'Ann', 0).lines;
  assert.equal(spokenLine(partial, 'Ann', true), null);
  const [final] = placeLine(emptyBoard(), line({ text: 'привет', language: 'ru', english: 'hello', final: true }), 'Ann', 0).lines;
  assert.equal(spokenLine(final, 'Ann', true), 'Ann: привет (in English: hello)');
  assert.equal(spokenLine(final, 'Ann', false), 'Ann: привет');
});

test('each state says what it is, the server’s reason included', () => {
  assert.equal(stateWords({ ...noCaptions(), state: 'failed', message: 'the model is corrupt' }, null), 'Captions failed: the model is corrupt');
  assert.match(stateWords(noCaptions(), 'captions are not installed'), /^Captions are not available: captions are not installed$/);
  assert.match(stateWords({ ...noCaptions(), state: 'on', transcript: true }, null), /transcript is kept/);
  assert.match(stateWords({ ...noCaptions(), state: 'restarting' }, null), /restarting/);
  assert.equal(languageName('ru'), 'Russian');
  assert.equal(languageName('x-none-such'), 'x-none-such');
});

test('in a dialogue meeting the notice says the kept transcript goes with the meeting', () => {
  const kept = { ...noCaptions(), state: /** @type {const} */ ('on'), transcript: true };
  assert.equal(noticeWords({ ...kept, transcript: false }), 'the server hears the meeting while captions are on.');
  assert.doesNotMatch(noticeWords(kept), /with this meeting/);
  assert.match(noticeWords({ ...kept, stored: true }), /A transcript is kept with this meeting for the dialogue’s members, in words the server can read/);
  assert.equal(stateWords({ ...kept, stored: true }, null), 'Captions are on, and a transcript is kept with this meeting for the dialogue’s members.');
  const full = { ...kept, message: 'the transcript reached its limit (20000 lines or 4000000 characters): later lines are not kept' };
  assert.equal(stateWords(full, null), `Captions are on, and a transcript is kept. ${full.message}`);
});

test('a final sent again with its English is said as the English alone, and only when shown', () => {
  const original = line({ text: 'привет', language: 'ru', final: true });
  const b1 = placeLine(emptyBoard(), original, 'Ann', 0);
  assert.equal(spokenChange(undefined, b1.lines[0], 'Ann', true), 'Ann: привет');
  const b2 = placeLine(b1, { ...original, english: 'hello' }, 'Ann', 1);
  assert.deepEqual(texts(b2), ['привет']);
  assert.equal(b2.lines[0].english, 'hello');
  assert.equal(spokenChange(b1.lines[0], b2.lines[0], 'Ann', true), 'Ann, in English: hello');
  assert.equal(spokenChange(b1.lines[0], b2.lines[0], 'Ann', false), null);
  assert.equal(spokenChange(b2.lines[0], b2.lines[0], 'Ann', true), null); // the same again: nothing
  const [partial] = placeLine(emptyBoard(), line({ text: 'при' }), 'Ann', 0).lines;
  assert.equal(spokenChange(partial, b1.lines[0], 'Ann', true), 'Ann: привет');
});
