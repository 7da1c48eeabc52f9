// @ts-check
/**
 * What the meeting screen says about end-to-end encryption: the top bar's
 * badge, each person's key state in the people list, and the dialog that
 * compares safety codes with one person; the banner when someone's media
 * cannot be opened because passphrases differ (or one is missing). The keys
 * themselves live in ../e2ee/ (Session's e2ee).
 */

import { t } from '../i18n.js';
import { passphraseFrom } from '../urls.js';
import { announce, byId, h, toast } from './dom.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../signaling.js').Participant} Participant
 */

/** The key of what a person's key state is called in the people list ('' says nothing). */
const PAIR_WORDS = {
  pending: 'e2ee.pending',
  ready: '',
  failed: 'e2ee.failed',
  passphrase: 'e2ee.passphrase_state',
  unverified: 'e2ee.unverified',
  verified: 'e2ee.verified',
  mismatch: 'e2ee.mismatch',
  sealed: 'e2ee.sealed',
};

/**
 * A person's encryption state in the people list, and the button that
 * compares safety codes with them.
 * @param {Session} session @param {Participant} p @param {string} shown their shown name
 * @returns {HTMLElement[]}
 */
export function personE2ee(session, p, shown) {
  const e2ee = session.e2ee;
  const pair = e2ee.pairState(p.id);
  const verdict = e2ee.verdict(p.id);
  // No exchange ever began and their media stays shut: not "exchanging keys…" forever.
  const sealed = pair === 'pending' && e2ee.undecryptable(p.id);
  const state = sealed ? 'sealed' : pair === 'ready' ? verdict : pair;
  const out = [h('span', { class: 'person-e2ee', 'data-state': state, 'data-testid': 'person-e2ee' }, PAIR_WORDS[state] ? t(PAIR_WORDS[state]) : '')];
  if (pair === 'ready') {
    const button = h('button', { type: 'button', class: 'btn btn-small person-verify', 'data-testid': 'btn-verify' }, t('verify.button'));
    button.setAttribute('aria-label', t('verify.title', { name: shown }));
    button.addEventListener('click', () => openVerify(session, p.id, shown));
    out.push(button);
  }
  return out;
}

/**
 * The top bar's summary: encrypted always; verified by how many; a warning
 * when a key check failed or codes did not match.
 * @param {Session} session
 */
export function renderE2ee(session) {
  const e2ee = session.e2ee;
  const ids = [...session.participants.keys()];
  const badge = byId('e2ee-state');
  let state = 'ok';
  let text = t('e2ee.encrypted');
  let detail = t('e2ee.detail');
  const bad = ids.filter((id) => e2ee.pairState(id) === 'failed' || e2ee.verdict(id) === 'mismatch');
  const verified = ids.filter((id) => e2ee.verdict(id) === 'verified').length;
  const sealed = sealedOff(session);
  if (bad.length) {
    state = 'warning';
    text = t('e2ee.bad');
    detail = t('e2ee.bad_detail');
  } else if (sealed.length) {
    // Not an attack: a typo in a passphrase, or a link without one. Still not calm green.
    state = 'caution';
    text = e2ee.passphrase ? t('e2ee.differ') : t('e2ee.needed');
    detail = sealedWords(session, sealed);
  } else if (e2ee.passphrase) {
    text = t('e2ee.with_passphrase');
    detail = t('e2ee.with_passphrase_detail');
  } else if (ids.length > 0) {
    text = verified === ids.length ? t('e2ee.all_verified') : t('e2ee.some_verified', { count: verified, total: ids.length });
    detail += ` ${t('e2ee.compare_hint')}`;
  }
  badge.dataset.state = state;
  byId('e2ee-text').textContent = text;
  badge.title = detail;
  badge.setAttribute('aria-label', `${text}. ${detail}`);
  renderSealedBanner(session, sealed);
}

/**
 * Whose media we receive and cannot open. Without a passphrase, only those
 * with whom no key exchange ever got going: they derive their keys from a
 * passphrase we do not have (a passphrase client never answers the exchange).
 * @param {Session} session @returns {string[]}
 */
function sealedOff(session) {
  const e2ee = session.e2ee;
  return [...session.participants.keys()].filter(
    (id) => e2ee.undecryptable(id) && (e2ee.passphrase || e2ee.pairState(id) === 'pending'),
  );
}

/** "Ada", "Ada and Grace", "Ada, Grace and Eve". @param {string[]} names */
function listOf(names) {
  return names.length < 2 ? names.join('') : t('e2ee.list', { first: names.slice(0, -1).join(', '), last: names.at(-1) ?? '' });
}

/**
 * What the banner says about those we cannot see or hear, and what to do.
 * @param {Session} session @param {string[]} sealed
 */
function sealedWords(session, sealed) {
  const who = listOf(sealed.map((id) => session.participants.get(id)?.name ?? t('e2ee.someone')));
  return session.e2ee.passphrase ? t('e2ee.banner_differ', { who }) : t('e2ee.banner_needed', { who });
}

/**
 * The banner over the stage, with a way to enter the passphrase (the page
 * joins again with it, in the link's fragment, which never reaches the server).
 * @param {Session} session @param {string[]} sealed
 */
function renderSealedBanner(session, sealed) {
  const banner = byId('e2ee-banner');
  const was = banner.hidden;
  banner.hidden = sealed.length === 0;
  if (banner.hidden) return;
  byId('e2ee-banner-text').textContent = sealedWords(session, sealed);
  if (was) announce(byId('e2ee-banner-text').textContent ?? '');
}

/** Join again with the passphrase typed into the banner. @param {SubmitEvent} ev */
function usePassphrase(ev) {
  ev.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('e2ee-passphrase'));
  const given = input.value.trim();
  if (!given || given === passphraseFrom(location.hash)) return;
  // A new fragment alone reloads nothing: reload to join afresh with its keys.
  location.hash = new URLSearchParams({ passphrase: given }).toString();
  location.reload();
}

/** The dialog's person: their session, id and shown name; null when closed. */
/** @type {{session: Session, id: string, shown: string} | null} */
let verifying = null;
const verifyDialog = /** @type {HTMLDialogElement} */ (byId('verify-dialog'));

/** @param {Session} session @param {string} id @param {string} shown */
async function openVerify(session, id, shown) {
  const current = { session, id, shown };
  verifying = current;
  byId('verify-code').replaceChildren();
  renderVerify(session);
  if (!verifyDialog.open) verifyDialog.showModal();
  const code = await session.e2ee.safetyCode(id);
  if (verifying !== current || !code) return;
  byId('verify-code').replaceChildren(
    ...code.map(([emoji, word]) => {
      const li = h('li');
      li.append(h('span', { class: 'emoji', 'aria-hidden': 'true' }, emoji), h('span', {}, word));
      return li;
    }),
  );
}

/** The dialog's words and buttons, as the keys stand now. @param {Session} session */
export function renderVerify(session) {
  if (!verifying || verifying.session !== session) return;
  byId('verify-title').textContent = t('verify.title', { name: verifying.shown });
  const verdict = session.e2ee.verdict(verifying.id);
  const ready = session.e2ee.pairState(verifying.id) === 'ready';
  byId('verify-status').textContent = !ready
    ? t('verify.not_ready')
    : verdict === 'verified'
      ? t('verify.marked')
      : verdict === 'mismatch'
        ? t('verify.differ')
        : '';
  /** @type {HTMLButtonElement} */ (byId('btn-verify-yes')).disabled = !ready;
  /** @type {HTMLButtonElement} */ (byId('btn-verify-no')).disabled = !ready;
}

/** @param {'verified' | 'mismatch'} verdict */
function verdictGiven(verdict) {
  if (!verifying) return;
  const { session, id, shown } = verifying;
  session.e2ee.setVerdict(id, verdict);
  announce(verdict === 'verified' ? t('verify.verified_said', { name: shown }) : t('verify.differ_said', { name: shown }));
  verifyDialog.close();
}

/** Wire the dialog and the badge (once, at start). */
export function initEncryption() {
  byId('btn-verify-yes').addEventListener('click', () => verdictGiven('verified'));
  byId('btn-verify-no').addEventListener('click', () => verdictGiven('mismatch'));
  byId('btn-verify-close').addEventListener('click', () => verifyDialog.close());
  verifyDialog.addEventListener('close', () => {
    verifying = null;
  });
  byId('e2ee-state').addEventListener('click', () => toast(byId('e2ee-state').title));
  byId('e2ee-passphrase-form').addEventListener('submit', usePassphrase);
}
