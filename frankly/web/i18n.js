// @ts-check
/**
 * The interface's words. Every string a person reads goes through `t(key)`
 * (or `data-i18n` in the HTML pages), looked up in one catalogue per
 * language under i18n/. English is the reference: every key exists there
 * first, and tests/web/i18n.test.mjs fails when another language lacks one.
 *
 * Values are strings with `{name}` placeholders, or, for counts, an object
 * of plural forms keyed by Intl.PluralRules categories ('one', 'few',
 * 'many', 'other'): Russian needs three, English two. No DOM here beyond
 * `translatePage`, so the Node tests import this file.
 */

import en from './i18n/en.js';
import es from './i18n/es.js';
import ru from './i18n/ru.js';

/** @typedef {string | Partial<Record<Intl.LDMLPluralRule, string>>} Message */
/** @typedef {Record<string, Message>} Catalogue */

/** @type {Record<string, Catalogue>} */
export const CATALOGUES = { en, es, ru };

/** The languages of the interface, each named in itself (for the switcher). */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'ru', name: 'Русский' },
];

/** Where the browser keeps a language someone chose over their browser's. */
export const LANGUAGE_KEY = 'frankly.language';

let current = 'en';

/** @type {Set<(code: string) => void>} what redraws its words when the language changes */
const listeners = new Set();

/**
 * The first of the browser's languages that the interface speaks, by its
 * primary subtag ('es-MX' → 'es'); English when none.
 * @param {readonly string[]} preferred navigator.languages
 * @returns {string}
 */
export function pickLanguage(preferred) {
  for (const tag of preferred) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (primary in CATALOGUES) return primary;
  }
  return 'en';
}

/** @returns {string} the language the interface speaks now */
export function language() {
  return current;
}

/**
 * Speak `code` from now on, and tell every `onLanguage` listener, so what a
 * screen drew from `t` is drawn again.
 * @param {string} code one of LANGUAGES; anything else means English
 */
export function setLanguage(code) {
  const next = code in CATALOGUES ? code : 'en';
  if (next === current) return;
  current = next;
  for (const fn of listeners) fn(current);
}

/**
 * Call `fn` after each change of language (screens redraw their dynamic words).
 * @param {(code: string) => void} fn
 * @returns {() => void} stops listening
 */
export function onLanguage(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * A time of day in the viewer's language ("14:05", "2:05 PM").
 * @param {Date | number} when a Date or milliseconds since the epoch
 * @returns {string}
 */
export function formatTime(when) {
  return new Intl.DateTimeFormat(current, { hour: '2-digit', minute: '2-digit' }).format(when);
}

/**
 * A date (and time, with the options asking for it) in the viewer's language.
 * @param {Date | number} when
 * @param {Intl.DateTimeFormatOptions} [options] the default: a medium date
 * @returns {string}
 */
export function formatDate(when, options = { dateStyle: 'medium' }) {
  return new Intl.DateTimeFormat(current, options).format(when);
}

/**
 * How far `when` is from now, in words ("in 3 days", "hace 2 horas").
 * @param {number} when milliseconds since the epoch
 * @param {number} [now]
 * @returns {string}
 */
export function formatRelative(when, now = Date.now()) {
  const seconds = Math.round((when - now) / 1000);
  const words = new Intl.RelativeTimeFormat(current, { numeric: 'auto' });
  /** @type {[Intl.RelativeTimeFormatUnit, number][]} each unit and its length in seconds */
  const units = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['week', 7 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, length] of units) {
    if (Math.abs(seconds) >= length) return words.format(Math.round(seconds / length), unit);
  }
  return words.format(seconds, 'second');
}

/**
 * The words for `key` in the current language (English where a language
 * has no such key yet), with `{name}` filled from `vars`; a message with
 * plural forms picks its form by `vars.count`.
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 * @returns {string}
 */
export function t(key, vars = {}) {
  const message = CATALOGUES[current][key] ?? en[key];
  if (message === undefined) return key; // a missing key shows itself; the tests catch it
  const text = typeof message === 'string' ? message : pluralOf(message, Number(vars.count ?? 0));
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * @param {Partial<Record<Intl.LDMLPluralRule, string>>} forms
 * @param {number} count
 * @returns {string}
 */
function pluralOf(forms, count) {
  const category = new Intl.PluralRules(current).select(count);
  return forms[category] ?? forms.other ?? '';
}

/**
 * Fill the page's fixed words: `data-i18n="key"` sets an element's text,
 * `data-i18n-attr="attr:key;attr:key"` its attributes (aria-label,
 * placeholder, title). Called at start and when the language changes.
 * @param {ParentNode} root
 */
export function translatePage(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(/** @type {string} */ (el.getAttribute('data-i18n')));
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of (el.getAttribute('data-i18n-attr') ?? '').split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}
