// @ts-check
/**
 * Session descriptions as a browser makes them, tidied so that every other
 * browser accepts them. Pure functions on SDP text (no DOM), tested under
 * Node (tests/web/sdp.test.mjs).
 */

/** Attributes that name one payload type of their m-line: `a=NAME:PT ...`. */
const PER_CODEC = ['rtpmap', 'fmtp', 'rtcp-fb'];

/**
 * The description without the codec lines (rtpmap, fmtp, rtcp-fb) whose
 * payload type its m-line does not list. Such a line means nothing (RFC 8866:
 * an attribute of a format the media line does not carry), but Chromium
 * refuses a whole description that has one ("Failed to parse codecs
 * correctly"), and Firefox ESR 153 leaves the rtcp-fb lines of every codec
 * that setCodecPreferences took off the m-line (frankly/web/e2ee/media.js
 * keeps only VP8). Wildcard rtcp-fb (`*`) lines stay.
 * @param {string} sdp
 * @returns {string}
 */
export function withoutStrayCodecLines(sdp) {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  /** @type {Set<string> | null} the payload types of the m-line we are in */
  let listed = null;
  const kept = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) listed = new Set(line.split(' ').slice(3));
    else if (listed !== null && strayCodecLine(line, listed)) continue;
    kept.push(line);
  }
  return kept.join(eol);
}

/** @param {string} line @param {Set<string>} listed */
function strayCodecLine(line, listed) {
  const match = /^a=([a-z-]+):(\S+)/.exec(line);
  if (!match || !PER_CODEC.includes(match[1])) return false;
  const pt = match[2];
  return pt !== '*' && !listed.has(pt);
}
