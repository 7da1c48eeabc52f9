// @ts-check
/**
 * Links in chat text, found without the DOM: `linkParts` cuts a message into
 * plain text and web links, and only http: and https: addresses become links
 * (never javascript:, data:, file: or any other scheme). ui/chat.js builds
 * the nodes from the parts (text nodes and <a>, never innerHTML). The Node
 * tests import this file.
 */

/** @typedef {{text: string, href?: string}} Part a run of text; `href` when it is a link */

/**
 * A candidate address: a web scheme and `//`, a host's first character (no
 * third slash or backslash, which browsers would quietly skip), then anything
 * up to a space or a character that cannot be in a written address.
 */
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`\/\\\u0000-\u001f\u007f][^\s<>"'`\u0000-\u001f\u007f]*/giu;

/** Characters that end a sentence rather than an address, when last. */
const TRAILING = /[.,;:!?'"»”’…]+$/u;

/**
 * A candidate without the punctuation that follows it in a sentence, and
 * without a closing bracket that has no opening one inside it.
 * @param {string} raw
 * @returns {string}
 */
function trimEnd(raw) {
  let url = raw;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']]) {
      if (url.endsWith(close) && url.split(open).length < url.split(close).length) url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}

/**
 * The address a link may go to, or null: it must parse and stay http(s).
 * @param {string} text
 * @returns {string | null}
 */
export function safeHref(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  return url.href;
}

/**
 * A message as runs of plain text and links, in order; joined, the runs' text
 * is the message unchanged.
 * @param {string} text
 * @returns {Part[]}
 */
export function linkParts(text) {
  /** @type {Part[]} */
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    const url = trimEnd(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: url, href });
    at = start + url.length;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at) });
  return parts;
}
