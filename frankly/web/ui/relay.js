// @ts-check
/**
 * "Hide my address": whether this browser sends all its media through the
 * server's TURN relay (iceTransportPolicy 'relay'), so that the other side of
 * a call of two, and the SFU, see the relay's address instead of ours. The
 * choice is remembered (localStorage); unmade, the server's default holds.
 * The wording is a pure function (relayHint), so it says only what is true.
 */

import { t } from '../i18n.js';
import { store } from './dom.js';

const KEY = 'hide-address';

/** @typedef {{turn: boolean, relay_only: boolean}} RelayOffer what the server offers */

/**
 * This browser's choice: true (hide), false (don't), null (as the server says).
 * @returns {boolean | null}
 */
export function rememberedRelay() {
  const value = store.get(KEY);
  return value === 'on' ? true : value === 'off' ? false : null;
}

/** @param {boolean} on */
export function rememberRelay(on) {
  store.set(KEY, on ? 'on' : 'off');
}

/**
 * Whether the server has a TURN relay and hides addresses by default (/config.json).
 * @returns {Promise<RelayOffer>}
 */
export async function relayOffer() {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    const body = res.ok ? await res.json() : {};
    return { turn: body.turn === true, relay_only: body.relay_only === true };
  } catch {
    return { turn: false, relay_only: false };
  }
}

/**
 * What the control says under it.
 * @param {boolean} possible the server has a TURN relay
 * @param {boolean} on the address is (to be) hidden
 * @param {boolean} [stale] the connections we have were made before the change
 * @returns {string}
 */
export function relayHint(possible, on, stale = false) {
  if (stale) {
    return on ? t('relay.stale_on') : t('relay.stale_off');
  }
  if (!possible) {
    return t('relay.impossible');
  }
  if (on) {
    return t('relay.on');
  }
  return t('relay.off');
}

/**
 * Show the state on a checkbox and the hint beside it.
 * @param {HTMLInputElement} box @param {HTMLElement} hint
 * @param {boolean} possible @param {boolean} on @param {boolean} [stale]
 */
export function renderRelay(box, hint, possible, on, stale = false) {
  box.checked = possible && on;
  box.disabled = !possible;
  hint.textContent = relayHint(possible, possible && on, stale);
}
