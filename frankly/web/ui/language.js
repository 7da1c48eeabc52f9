// @ts-check
/**
 * The interface's language on a page: chosen from what this browser keeps
 * (LANGUAGE_KEY, set by a switch) or else from the browser's languages;
 * `<html lang>` and every `data-i18n` follow it, and the language switches
 * (one on each screen that has one) change it at once, with no reload.
 */

import { LANGUAGES, LANGUAGE_KEY, language, onLanguage, pickLanguage, setLanguage, t, translatePage } from '../i18n.js';

/** @returns {string} the language someone chose on this device, or '' */
function chosen() {
  try {
    return localStorage.getItem(LANGUAGE_KEY) ?? '';
  } catch {
    return ''; // storage refused: the browser's language
  }
}

/** @param {string} code */
function keep(code) {
  try {
    localStorage.setItem(LANGUAGE_KEY, code);
  } catch {
    /* private mode: this page load only */
  }
}

/** Draw the page's fixed words and its language. */
function drawPage() {
  document.documentElement.lang = language();
  translatePage(document);
  for (const select of document.querySelectorAll('select[data-language-switch]')) {
    /** @type {HTMLSelectElement} */ (select).value = language();
  }
}

/**
 * Pick the language (kept choice, else the browser's) and draw the page in it.
 * Call once, before any screen draws words of its own.
 */
export function initLanguage() {
  const kept = chosen();
  setLanguage(kept ? pickLanguage([kept]) : pickLanguage(navigator.languages ?? [navigator.language]));
  onLanguage(drawPage);
  drawPage();
}

/**
 * Put a labelled language switch into `container`: a <select> of the
 * languages, each named in itself. Choosing one keeps it on this device
 * and redraws every screen in it.
 * The select's id (and data-testid) is the container's id with '-select'.
 * @param {HTMLElement} container
 */
export function mountLanguageSwitch(container) {
  const id = `${container.id}-select`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.setAttribute('data-i18n', 'language.label');
  label.textContent = t('language.label');
  const select = document.createElement('select');
  select.id = id;
  select.dataset.languageSwitch = '';
  select.dataset.testid = id;
  for (const { code, name } of LANGUAGES) {
    const option = document.createElement('option');
    option.value = code;
    option.lang = code; // a screen reader reads each name in its own language
    option.textContent = name;
    select.append(option);
  }
  select.value = language();
  select.addEventListener('change', () => {
    keep(select.value);
    setLanguage(select.value);
  });
  container.classList.add('language-switch');
  container.replaceChildren(label, select);
}
