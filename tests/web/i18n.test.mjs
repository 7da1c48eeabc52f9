// The interface's catalogues (frankly/web/i18n.js): every language has every key, with the same placeholders.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CATALOGUES, formatRelative, formatTime, onLanguage, pickLanguage, setLanguage, t } from '../../frankly/web/i18n.js';

/** @param {unknown} message @returns {string[]} each placeholder, sorted */
function placeholders(message) {
  const texts = typeof message === 'string' ? [message] : Object.values(/** @type {object} */ (message));
  return [...new Set(texts.flatMap((s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();
}

test('every language has every English key, and no key English lacks', () => {
  const keys = Object.keys(CATALOGUES.en).sort();
  for (const [code, catalogue] of Object.entries(CATALOGUES)) {
    assert.deepEqual(Object.keys(catalogue).filter((k) => !(k in CATALOGUES.en)), [], `${code} has keys English lacks`);
    assert.deepEqual(keys.filter((k) => !(k in catalogue)), [], `${code} lacks keys`);
  }
});

test('each translation fills the same placeholders as the English', () => {
  for (const [code, catalogue] of Object.entries(CATALOGUES)) {
    for (const [key, message] of Object.entries(catalogue)) {
      assert.deepEqual(placeholders(message), placeholders(CATALOGUES.en[key]), `${code} ${key}`);
    }
  }
});

test('the browser language picks the interface, by its primary subtag', () => {
  assert.equal(pickLanguage(['es-MX', 'en']), 'es');
  assert.equal(pickLanguage(['de-DE', 'ru']), 'ru');
  assert.equal(pickLanguage(['de-DE']), 'en');
});

test('t fills placeholders and switches language', () => {
  setLanguage('ru');
  assert.equal(t('language.label'), 'Язык интерфейса');
  assert.equal(t('notice.full', { room: 'board' }), 'Во встрече «board» уже столько людей, сколько она вмещает. Попробуйте позже или попросите другую ссылку.');
  setLanguage('xx');
  assert.equal(t('language.label'), 'Interface language');
  assert.equal(t('no.such.key'), 'no.such.key');
});

test('counts take the plural form of the language: Russian one, few, many; Spanish one, other', () => {
  setLanguage('ru');
  assert.equal(t('chat.unread', { count: 1, shown: '1' }), 'Чат, 1 непрочитанное');
  assert.equal(t('chat.unread', { count: 3, shown: '3' }), 'Чат, 3 непрочитанных');
  assert.equal(t('chat.unread', { count: 21, shown: '21' }), 'Чат, 21 непрочитанное');
  assert.equal(t('chat.unread', { count: 11, shown: '11' }), 'Чат, 11 непрочитанных');
  setLanguage('es');
  assert.equal(t('e2ee.some_verified', { count: 1, total: 3 }), 'Cifrado · 1 de 3 verificado');
  assert.equal(t('e2ee.some_verified', { count: 0, total: 3 }), 'Cifrado · 0 de 3 verificados');
  setLanguage('en');
});

test('every plural message has the forms its language needs', () => {
  for (const [code, catalogue] of Object.entries(CATALOGUES)) {
    const needed = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
    for (const [key, message] of Object.entries(catalogue)) {
      if (typeof message === 'string') continue;
      for (const form of needed) assert.ok(form in message, `${code} ${key} lacks ${form}`);
    }
  }
});

test('no message is left empty, and a translation is not the English left in place by mistake', () => {
  // Words that are the same in every language (names, codes, placeholders alone).
  const same = /^[\s{}\w·()%:,]*$|^Frankly$|^Chat$|^WebVTT/;
  for (const [code, catalogue] of Object.entries(CATALOGUES)) {
    for (const [key, message] of Object.entries(catalogue)) {
      for (const text of typeof message === 'string' ? [message] : Object.values(message)) assert.ok(String(text).trim(), `${code} ${key} is empty`);
      if (code === 'en' || typeof message !== 'string') continue;
      const english = CATALOGUES.en[key];
      if (message === english && !same.test(message)) assert.fail(`${code} ${key} is still English: ${message}`);
    }
  }
});

test('a change of language is told to listeners, and times follow it', () => {
  const heard = [];
  const stop = onLanguage((code) => heard.push(code));
  setLanguage('ru');
  setLanguage('ru'); // no change, no news
  setLanguage('es');
  stop();
  setLanguage('en');
  assert.deepEqual(heard, ['ru', 'es']);
  const when = Date.UTC(2026, 11, 1, 17, 5);
  setLanguage('ru');
  assert.match(formatRelative(when + 3 * 86400_000, when), /через 3 дня/);
  assert.match(formatTime(when), /^\d\d:\d\d$/);
  setLanguage('en');
  assert.match(formatRelative(when - 2 * 3600_000, when), /2 hours ago/);
});
