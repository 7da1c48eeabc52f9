// @ts-check
/**
 * Interpretation on the meeting screen: the language menu in the controls
 * (the floor or a language, and how loud the original stays underneath),
 * an interpreter's booth panel (direction, who is live, hand-over, relay,
 * booth chat), the people list's interpreter badges and a host's "Make
 * interpreter…" form. What it shows is what the server last said
 * (session.interpretation, session.listening); the buttons only ask.
 */

import {
  COMMON_LANGUAGES,
  DEFAULT_FLOOR_VOLUME,
  FLOOR,
  boothOf,
  directionLabel,
  gains,
  hearing,
  interpreterBadge,
  normalLanguage,
  pairLabel,
  partnerOf,
  relayChoices,
  switchTarget,
} from '../interpretation.js';
import { onLanguage, t } from '../i18n.js';
import { announce, byId, clock, h, toast } from './dom.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../signaling.js').Participant} Participant
 * @typedef {import('../mixer.js').Mixer} Mixer
 * @typedef {{session: Session, mixer: Mixer, floorVolume: number, shown: (id: string) => string}} Listener
 */

/** @type {Listener | null} the meeting on screen */
let current = null;

/** @param {Listener} listener the meeting now on screen */
export function startInterpretation(listener) {
  current = listener;
  /** @type {HTMLInputElement} */ (byId('floor-volume')).value = String(Math.round(listener.floorVolume * 100));
  byId('booth-log').replaceChildren();
  renderInterpretation();
}

export function stopInterpretation() {
  current = null;
}

/** Everything interpretation shows, from the session's state now. */
export function renderInterpretation() {
  if (!current) return;
  renderLanguageMenu(current);
  renderBooth(current);
  current.mixer.setGains(gains(current.session.interpretation, current.session.listening, current.floorVolume));
}

/** @param {string} channel @returns {string} */
function channelName(channel) {
  return channel === FLOOR ? t('interp.floor') : channel;
}

/** @param {Listener} l */
function renderLanguageMenu(l) {
  const { session } = l;
  const i = session.interpretation;
  const menu = byId('lang-menu');
  menu.hidden = i.languages.length === 0;
  if (menu.hidden) menu.removeAttribute('open');
  byId('lang-now').textContent = channelName(session.listening);
  const choices = byId('lang-choices');
  const options = [FLOOR, ...i.languages];
  const have = [...choices.querySelectorAll('input')].map((x) => x.value);
  if (have.join() !== options.join()) {
    choices.replaceChildren(
      ...options.map((channel) => {
        const label = h('label', { class: 'check lang-choice' });
        const input = /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: 'lang', value: channel, 'data-testid': `lang-${channel}` }));
        input.addEventListener('change', () => {
          if (!current || !input.checked) return;
          if (!current.session.listen(channel)) toast(t('interp.not_connected'));
        });
        label.append(input, ` ${channel === FLOOR ? t('interp.floor_original') : channel}`);
        return label;
      }),
    );
  }
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (choices.querySelectorAll('input'))) {
    input.checked = input.value === session.listening;
  }
  byId('lang-hearing').textContent = hearing(i, session.listening, l.shown);
  // The slider only means something while a voice plays over the floor.
  byId('lang-floor').hidden = gains(i, session.listening, l.floorVolume).channel === 0;
  byId('floor-volume-out').textContent = l.floorVolume === 0 ? t('interp.volume_off') : t('interp.volume', { percent: Math.round(l.floorVolume * 100) });
}

/** @param {Listener} l */
function renderBooth(l) {
  const { session } = l;
  const me = session.you?.id ?? '';
  const i = session.interpretation;
  const booth = me ? boothOf(i, me) : null;
  const panel = byId('booth-panel');
  panel.hidden = !booth;
  if (!booth) return;
  byId('booth-pair').textContent = pairLabel(booth.pair);
  const partner = partnerOf(booth, me);
  const live = byId('booth-live');
  live.dataset.live = String(booth.live === me);
  if (!booth.into) live.textContent = t('booth.not_live');
  else if (booth.live === me) live.textContent = t('booth.you_live', { into: booth.into });
  else if (booth.live) live.textContent = t('booth.other_live', { name: l.shown(booth.live), into: booth.into });
  else live.textContent = t('booth.nobody_live', { into: booth.into });
  const direction = /** @type {HTMLButtonElement} */ (byId('btn-direction'));
  const target = switchTarget(i, booth);
  direction.textContent = directionLabel(booth);
  direction.disabled = target === null;
  direction.setAttribute('aria-label', target ? t('booth.direction_long', { direction: directionLabel(booth), target }) : directionLabel(booth));
  direction.title = target ? t('booth.switch', { target }) : t('booth.switch_none');
  const handover = /** @type {HTMLButtonElement} */ (byId('btn-handover'));
  handover.hidden = !partner;
  handover.textContent = booth.live === me ? t('booth.hand_over', { name: partner ? l.shown(partner) : '' }) : t('booth.take_over');
  const mic = byId('btn-channel-mic');
  const muted = !!session.channelTrack && !session.channelTrack.enabled;
  mic.hidden = !session.channelTrack;
  mic.setAttribute('aria-pressed', String(muted));
  mic.textContent = muted ? t('booth.unmute_mic') : t('booth.mute_mic');
  const relay = /** @type {HTMLSelectElement} */ (byId('booth-relay'));
  const choices = [FLOOR, ...relayChoices(i, booth)];
  if ([...relay.options].map((o) => o.value).join() !== choices.join()) {
    relay.replaceChildren(...choices.map((c) => h('option', { value: c }, c === FLOOR ? t('booth.relay_floor') : t('booth.relay_channel', { channel: c }))));
  }
  relay.value = choices.includes(session.listening) ? session.listening : FLOOR;
  const notes = [];
  if (!session.channelTrack) notes.push(t('booth.no_mic'));
  else if (!session.channelTrack.enabled) notes.push(t('booth.mic_muted'));
  else notes.push(t('booth.mic_channel'));
  if (!partner) notes.push(t('booth.alone'));
  byId('booth-note').textContent = notes.join(' ');
  byId('booth-chat').hidden = !partner;
}

/**
 * A booth line on screen.
 * @param {{from: string, text: string, ts: number}} line @param {boolean} mine
 */
export function addBoothLine(line, mine) {
  if (!current) return;
  const li = h('li', { class: mine ? 'msg mine' : 'msg' });
  const meta = h('div', { class: 'msg-meta' });
  meta.append(h('span', { class: 'msg-name' }, mine ? t('chat.you') : current.shown(line.from)), h('span', {}, clock(line.ts)));
  li.append(meta, h('p', { class: 'msg-text' }, line.text));
  const log = byId('booth-log');
  log.append(li);
  log.scrollTop = log.scrollHeight;
}

/**
 * The people list's interpreter badge for one person (none for others): what
 * it shows (`Interpreter en ⇄ ru`, `live into ru`) is hidden from screen
 * readers, which get the same in words instead.
 * @param {Session} session @param {string} id @returns {HTMLElement[]}
 */
export function personInterpreter(session, id) {
  const badge = interpreterBadge(session.interpretation, id);
  if (!badge) return [];
  const out = [h('span', { class: 'person-role person-interpreter', 'data-testid': 'person-interpreter', 'aria-hidden': 'true' }, badge.pair)];
  if (badge.live) out.push(h('span', { class: 'person-live', 'data-testid': 'person-live', 'aria-hidden': 'true' }, badge.live));
  out.push(h('span', { class: 'sr-only', 'data-testid': 'person-interpreter-spoken' }, `${badge.spoken}.`));
  return out;
}

/**
 * A host's "Make interpreter…" in a person's Manage menu: a language pair
 * from a short list or typed, or "Stop interpreting" for an interpreter.
 * @param {Session} session @param {Participant} p @param {string} shown
 * @param {() => void} close closes the menu
 * @returns {HTMLElement}
 */
export function interpreterItem(session, p, shown, close) {
  const booth = boothOf(session.interpretation, p.id);
  if (booth) {
    const stop = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'stop-interpreter' }, t('interp.stop', { pair: pairLabel(booth.pair) }));
    stop.addEventListener('click', () => {
      close();
      session.makeInterpreter(p.id, null);
      announce(t('interp.stopped', { name: shown }));
    });
    return stop;
  }
  const wrap = h('details', { class: 'interp-make' });
  const summary = h('summary', { class: 'btn btn-small', 'data-testid': 'make-interpreter' }, t('interp.make_menu'));
  const form = h('form', { class: 'inline-form interp-form', novalidate: '' });
  const listId = 'common-languages';
  const field = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ testid) => {
    const input = /** @type {HTMLInputElement} */ (h('input', { type: 'text', list: listId, value, size: '6', maxlength: '35', autocomplete: 'off', 'data-testid': testid, 'aria-label': t(label, { name: shown }) }));
    return input;
  };
  const from = field('interp.first_for', 'en', 'interp-from');
  const into = field('interp.second_for', 'ru', 'interp-into');
  const go = h('button', { type: 'submit', class: 'btn btn-small btn-primary', 'data-testid': 'interp-go' }, t('interp.make'));
  const hint = h('p', { class: 'hint interp-hint' }, t('interp.make_hint', { codes: COMMON_LANGUAGES.join(', ') }));
  form.append(from, h('span', { 'aria-hidden': 'true' }, '⇄'), into, go, hint);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const pair = typedPair(from, into);
    if (!pair) return;
    close();
    if (!session.makeInterpreter(p.id, pair)) toast(t('interp.not_connected'));
    else announce(`${shown} interprets ${pairLabel(pair)}.`);
  });
  wrap.append(summary, form);
  wrap.addEventListener('toggle', () => {
    if (!(/** @type {HTMLDetailsElement} */ (wrap).open)) return;
    form.scrollIntoView({ block: 'nearest' });
    from.focus();
  });
  return wrap;
}

/** Wire the language menu and the booth panel's controls (once, at start). */
/**
 * The pair two typed language fields give, or null (and say why).
 * @param {HTMLInputElement} a @param {HTMLInputElement} b @returns {[string, string] | null}
 */
export function typedPair(a, b) {
  const first = normalLanguage(a.value);
  const second = normalLanguage(b.value);
  if (!first || !second || first === second) {
    toast(t('interp.two_codes'));
    return null;
  }
  return [first, second];
}

export function initInterpretation() {
  byId('common-languages').replaceChildren(...COMMON_LANGUAGES.map((l) => h('option', { value: l })));
  onLanguage(() => {
    // Made only when their choices change: made anew in the new language.
    byId('lang-choices').replaceChildren();
    byId('booth-relay').replaceChildren();
    renderInterpretation();
  });
  const menu = byId('lang-menu');
  menu.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape' || !menu.hasAttribute('open')) return;
    menu.removeAttribute('open');
    /** @type {HTMLElement} */ (menu.querySelector('summary')).focus();
  });
  const volume = /** @type {HTMLInputElement} */ (byId('floor-volume'));
  volume.addEventListener('input', () => {
    if (!current) return;
    current.floorVolume = Number(volume.value) / 100;
    renderInterpretation();
  });
  byId('btn-direction').addEventListener('click', () => {
    const me = current?.session.you?.id;
    const booth = current && me ? boothOf(current.session.interpretation, me) : null;
    const target = current && booth ? switchTarget(current.session.interpretation, booth) : null;
    if (current && target) current.session.switchDirection(target);
  });
  byId('btn-handover').addEventListener('click', () => current?.session.handOver());
  byId('btn-channel-mic').addEventListener('click', () => {
    const track = current?.session.channelTrack;
    if (!current || !track) return;
    current.session.setChannelMic(!track.enabled);
    announce(track.enabled ? t('booth.mic_on_said') : t('booth.mic_muted_said'));
  });
  byId('booth-relay').addEventListener('change', (ev) => {
    current?.session.listen(/** @type {HTMLSelectElement} */ (ev.target).value);
  });
  byId('booth-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('booth-input'));
    const text = input.value.trim();
    if (!text || !current) return;
    const result = await current.session.sendBoothChat(text);
    if (result === 'sent') {
      addBoothLine({ from: current.session.you?.id ?? '', text, ts: Date.now() / 1000 }, true);
      input.value = '';
    } else if (result === 'no-key') toast(t('booth.chat_no_key'));
    else if (result === 'alone') toast(t('booth.chat_alone'));
    else toast(t('booth.chat_not_sent'));
  });
}

export { DEFAULT_FLOOR_VOLUME };
