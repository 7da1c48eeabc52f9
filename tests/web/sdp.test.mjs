// Tidying a browser's session description (frankly/web/sdp.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { withoutStrayCodecLines } from '../../frankly/web/sdp.js';

// The video section of Firefox ESR 153's offer after setCodecPreferences([VP8,
// rtx]): its m-line lists 120 and 124, its rtcp-fb lines name four more.
const FIREFOX_VIDEO = [
  'm=video 0 UDP/TLS/RTP/SAVPF 120 124',
  'a=mid:1',
  'a=fmtp:120 max-fs=12288;max-fr=60',
  'a=fmtp:124 apt=120',
  'a=rtcp-fb:120 nack',
  'a=rtcp-fb:120 nack pli',
  'a=rtcp-fb:121 nack',
  'a=rtcp-fb:121 nack pli',
  'a=rtcp-fb:99 transport-cc',
  'a=rtcp-fb:123 goog-remb',
  'a=rtcp-fb:122 ccm fir',
  'a=rtcp-fb:* transport-cc',
  'a=rtcp-mux',
  'a=rtpmap:120 VP8/90000',
  'a=rtpmap:124 rtx/90000',
  'a=rtpmap:126 H264/90000',
  '',
];
const SESSION = ['v=0', 'o=- 1 0 IN IP4 0.0.0.0', 's=-', 't=0 0', 'a=group:BUNDLE 0 1'];
const AUDIO = ['m=audio 9 UDP/TLS/RTP/SAVPF 109 101', 'a=mid:0', 'a=rtpmap:109 opus/48000/2', 'a=fmtp:101 0-15', 'a=rtpmap:101 telephone-event/8000'];

test('the codec lines of payload types the m-line does not list go', () => {
  const sdp = [...SESSION, ...AUDIO, ...FIREFOX_VIDEO].join('\r\n');
  const tidy = withoutStrayCodecLines(sdp);
  assert.ok(!/a=(rtcp-fb|fmtp|rtpmap):(121|99|123|122|126) /.test(tidy), tidy);
  for (const line of [...SESSION, ...AUDIO, 'a=rtcp-fb:120 nack pli', 'a=fmtp:124 apt=120', 'a=rtcp-fb:* transport-cc', 'a=rtcp-mux']) {
    assert.ok(tidy.split('\r\n').includes(line), line);
  }
  assert.ok(tidy.endsWith('\r\n'), 'still ends its last line');
});

test('a description with nothing stray is left as it was, whatever its line ends', () => {
  const lines = [...SESSION, ...AUDIO, ''];
  assert.equal(withoutStrayCodecLines(lines.join('\r\n')), lines.join('\r\n'));
  assert.equal(withoutStrayCodecLines(lines.join('\n')), lines.join('\n'));
});

test('session-level lines before the first m-line are never codec lines', () => {
  const sdp = ['v=0', 'a=fmtp:5 x', 'm=audio 9 RTP/SAVPF 0', ''].join('\r\n');
  assert.equal(withoutStrayCodecLines(sdp), sdp);
});
