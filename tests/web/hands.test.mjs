// Raised hands without the DOM (frankly/web/hands.js): places in line, their words, and the speech clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { HANGOVER, MAX_STEP, SPEECH_LEVEL, SpeechClock, handPlaces, placeWords, rms } from '../../frankly/web/hands.js';
import { setLanguage } from '../../frankly/web/i18n.js';

test('places follow the order hands went up in, not the order people came in', () => {
  const people = [
    { id: 'ada', hand: null },
    { id: 'grace', hand: 7 },
    { id: 'linus', hand: 3 },
    { id: 'ken' },
  ];
  assert.deepEqual([...handPlaces(people)], [
    ['linus', 1],
    ['grace', 2],
  ]);
  assert.equal(handPlaces([]).size, 0);
});

test('a place in words: English ordinals, Spanish and Russian their own', () => {
  setLanguage('en');
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101].map(placeWords), [
    '1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st',
  ]);
  setLanguage('es');
  assert.equal(placeWords(2), '2.º');
  setLanguage('ru');
  assert.equal(placeWords(2), '2-й');
  setLanguage('en');
});

test('rms of silence is 0, of a full-scale square wave 1', () => {
  assert.equal(rms([]), 0);
  assert.equal(rms([0, 0, 0]), 0);
  assert.equal(rms([1, -1, 1, -1]), 1);
});

test('steady speech counts its time; silence counts none', () => {
  const clock = new SpeechClock();
  for (let i = 0; i <= 50; i += 1) clock.feed(0.1, i * 0.1);
  assert.ok(Math.abs(clock.spoken - 5) < 1e-9, String(clock.spoken));
  const quiet = new SpeechClock();
  for (let i = 0; i <= 50; i += 1) quiet.feed(SPEECH_LEVEL / 2, i * 0.1);
  assert.equal(quiet.spoken, 0);
});

test('clicks and short beeps (one loud reading each) are not speech', () => {
  const clock = new SpeechClock();
  // Chromium's fake microphone: a beep caught by one reading about every 0.45 s.
  for (let i = 0; i <= 200; i += 1) clock.feed(i % 9 === 0 ? 0.3 : 0.001, i * 0.05);
  const taps = new SpeechClock();
  for (let i = 0; i <= 50; i += 1) taps.feed(i % 2 ? 0.2 : 0, i * 0.1);
  assert.equal(clock.spoken, 0);
  assert.equal(taps.spoken, 0);
});

test('a pause between words counts; a longer silence does not', () => {
  const clock = new SpeechClock();
  clock.feed(0.1, 0);
  clock.feed(0.1, 0.1); // speech starts
  clock.feed(0, 0.1 + HANGOVER / 2); // a pause within the hangover: still speaking
  assert.ok(Math.abs(clock.spoken - (0.1 + HANGOVER / 2)) < 1e-9);
  clock.feed(0.1, 0.2 + HANGOVER / 2); // one loud reading in speech goes on with it
  clock.feed(0, 1.5 + HANGOVER); // past the hangover: silence
  assert.ok(Math.abs(clock.spoken - (0.2 + HANGOVER / 2)) < 1e-9, String(clock.spoken));
});

test('a held-back timer adds at most MAX_STEP; a pause (muted) adds nothing', () => {
  const clock = new SpeechClock();
  clock.feed(0.1, 0);
  clock.feed(0.1, 0.1);
  clock.feed(0.1, 10); // 9.9 s between readings in speech: a hidden tab's timer
  assert.ok(Math.abs(clock.spoken - (0.1 + MAX_STEP)) < 1e-9, String(clock.spoken));
  clock.pause();
  clock.feed(0.1, 20);
  assert.ok(Math.abs(clock.spoken - (0.1 + MAX_STEP)) < 1e-9);
  clock.reset();
  assert.equal(clock.spoken, 0);
});
