// The transcript a participant keeps (frankly/web/transcript.js), as frankly/client/transcript.py writes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { asText, asWebVtt } from '../../frankly/web/transcript.js';

const lines = [
  { speaker: 'Boris', start: 65.2, end: 67, text: 'Спасибо.', language: 'ru', english: 'Thank you.' },
  { speaker: 'Ann <host>', start: 3, end: 3.1, text: 'Hello &\nwelcome.', language: 'en', english: 'Hello &\nwelcome.' },
];

test('as text: in order of time, stamped, the English after other languages', () => {
  assert.equal(asText(lines), '[00:00:03] Ann <host>: Hello &\nwelcome.\n[00:01:05] Boris: Спасибо.\n    (English) Thank you.\n');
});

test('as WebVTT: cues with the speaker as a voice span, escaped, at least half a second long', () => {
  assert.equal(
    asWebVtt(lines),
    [
      'WEBVTT',
      '',
      '00:00:03.000 --> 00:00:03.500',
      '<v Ann &lt;host&gt;>Hello &amp; welcome.',
      '',
      '00:01:05.200 --> 00:01:07.000',
      '<v Boris>Спасибо.',
      '<v Boris>(Thank you.)',
      '',
    ].join('\n'),
  );
});
