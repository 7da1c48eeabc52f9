// @ts-check
/**
 * What the meeting screen says about end-to-end encryption: the top bar's
 * badge, each person's key state in the people list, and the dialog that
 * compares safety codes with one person; the banner when someone's media
 * cannot be opened because passphrases differ (or one is missing). The keys
 * themselves live in ../e2ee/ (Session's e2ee).
 */

import { passphraseFrom } from '../urls.js';
import { announce, byId, h, toast } from './dom.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../signaling.js').Participant} Participant
 */

/** What a person's key state is called in the people list. */
const PAIR_WORDS = {
  pending: 'exchanging keys…',
  ready: '',
  failed: 'key check failed',
  passphrase: 'passphrase',
  unverified: 'not verified',
  verified: 'verified',
  mismatch: 'codes did not match',
  sealed: 'can’t decrypt: passphrase?',
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
  const out = [h('span', { class: 'person-e2ee', 'data-state': state, 'data-testid': 'person-e2ee' }, PAIR_WORDS[state])];
  if (pair === 'ready') {
    const button = h('button', { type: 'button', class: 'btn btn-small person-verify', 'data-testid': 'btn-verify' }, 'Verify');
    button.setAttribute('aria-label', `Compare safety codes with ${shown}`);
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
  let text = 'Encrypted';
  let detail = 'End-to-end encrypted: the server cannot see or hear this meeting.';
  const bad = ids.filter((id) => e2ee.pairState(id) === 'failed' || e2ee.verdict(id) === 'mismatch');
  const verified = ids.filter((id) => e2ee.verdict(id) === 'verified').length;
  const sealed = sealedOff(session);
  if (bad.length) {
    state = 'warning';
    text = 'Keys don’t match';
    detail = 'Someone’s keys failed a check: the server may be listening in. Do not say anything sensitive.';
  } else if (sealed.length) {
    // Not an attack: a typo in a passphrase, or a link without one. Still not calm green.
    state = 'caution';
    text = e2ee.passphrase ? 'Passphrases differ' : 'Passphrase needed?';
    detail = sealedWords(session, sealed);
  } else if (e2ee.passphrase) {
    text = 'Encrypted · passphrase';
    detail = 'End-to-end encrypted with the passphrase in this meeting’s link. Anyone with the link can join and listen.';
  } else if (ids.length > 0) {
    text = verified === ids.length ? 'Encrypted · verified' : `Encrypted · ${verified} of ${ids.length} verified`;
    detail += ' Compare safety codes with each person (People, Verify) to be sure nobody is in between.';
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
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * What the banner says about those we cannot see or hear, and what to do.
 * @param {Session} session @param {string[]} sealed
 */
function sealedWords(session, sealed) {
  const who = listOf(sealed.map((id) => session.participants.get(id)?.name ?? 'someone'));
  return session.e2ee.passphrase
    ? `You can’t see or hear ${who}: your passphrases differ — check the passphrase with the others.`
    : `You can’t see or hear ${who}: this meeting may need a passphrase. Ask for the link with the passphrase, or enter it here.`;
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
  byId('verify-title').textContent = `Compare safety codes with ${shown}`;
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
  const verdict = session.e2ee.verdict(verifying.id);
  const ready = session.e2ee.pairState(verifying.id) === 'ready';
  byId('verify-status').textContent = !ready
    ? 'Keys are not exchanged with this person.'
    : verdict === 'verified'
      ? 'You marked these codes as matching.'
      : verdict === 'mismatch'
        ? 'You said these codes differ: someone may be in between. Leave the meeting to be safe.'
        : '';
  /** @type {HTMLButtonElement} */ (byId('btn-verify-yes')).disabled = !ready;
  /** @type {HTMLButtonElement} */ (byId('btn-verify-no')).disabled = !ready;
}

/** @param {'verified' | 'mismatch'} verdict */
function verdictGiven(verdict) {
  if (!verifying) return;
  const { session, id, shown } = verifying;
  session.e2ee.setVerdict(id, verdict);
  announce(verdict === 'verified' ? `Verified ${shown}.` : `Warning: safety codes with ${shown} differ.`);
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
