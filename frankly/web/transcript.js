// @ts-check
/**
 * A meeting's transcript as this participant keeps it: the final caption
 * lines opened while a host keeps the transcript, as text or WebVTT. The
 * server never reads caption text (lines are sealed end to end), so each
 * client keeps its own. No DOM, no I/O: the Node tests (tests/web/) import
 * this file. The Python SDK's twin is frankly/client/transcript.py, format
 * for format.
 */

/**
 * @typedef {{speaker: string, start: number, end: number, text: string, language: string,
 *            english: string | null}} TranscriptLine
 *   `speaker`: the speaker's name; `start`, `end`: seconds since captions started
 */

/**
 * Each line as `[hh:mm:ss] Name: text`, in order of time, with the English
 * after it for other languages.
 * @param {Iterable<TranscriptLine>} lines
 * @returns {string}
 */
export function asText(lines) {
  const out = [];
  for (const line of byStart(lines)) {
    out.push(`[${clock(line.start, false)}] ${line.speaker}: ${line.text}`);
    if (line.english && line.english !== line.text) out.push(`    (English) ${line.english}`);
  }
  return out.map((row) => `${row}\n`).join('');
}

/**
 * WebVTT cues whose voice span names the speaker, so players show who spoke.
 * @param {Iterable<TranscriptLine>} lines
 * @returns {string}
 */
export function asWebVtt(lines) {
  const cues = ['WEBVTT', ''];
  for (const line of byStart(lines)) {
    const end = Math.max(line.end, line.start + 0.5);
    cues.push(`${clock(line.start, true)} --> ${clock(end, true)}`);
    cues.push(`<v ${escape(line.speaker)}>${escape(line.text)}`);
    if (line.english && line.english !== line.text) cues.push(`<v ${escape(line.speaker)}>(${escape(line.english)})`);
    cues.push('');
  }
  return cues.join('\n');
}

/** @param {Iterable<TranscriptLine>} lines */
function byStart(lines) {
  return [...lines].sort((a, b) => a.start - b.start);
}

/** @param {number} seconds @param {boolean} vtt */
function clock(seconds, vtt) {
  let millis = Math.max(0, Math.round(seconds * 1000));
  const hours = Math.floor(millis / 3_600_000);
  millis -= hours * 3_600_000;
  const minutes = Math.floor(millis / 60_000);
  millis -= minutes * 60_000;
  const secs = Math.floor(millis / 1000);
  millis -= secs * 1000;
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const whole = `${two(hours)}:${two(minutes)}:${two(secs)}`;
  return vtt ? `${whole}.${String(millis).padStart(3, '0')}` : whole;
}

/** What WebVTT cue text may not hold as is; a line break would end the cue. @param {string} text */
function escape(text) {
  const safe = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return safe.split(/\s+/).filter(Boolean).join(' ');
}
