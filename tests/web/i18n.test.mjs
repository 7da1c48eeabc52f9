// The interface's catalogues (frankly/web/i18n.js): every language has every key, with the same placeholders.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CATALOGUES, pickLanguage, setLanguage, t } from '../../frankly/web/i18n.js';

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
  assert.equal(t('language.label'), 'Язык');
  setLanguage('xx');
  assert.equal(t('language.label'), 'Language');
  assert.equal(t('no.such.key'), 'no.such.key');
});
