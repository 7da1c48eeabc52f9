// @ts-check
/**
 * Raised hands on the meeting screen: each tile shows its person's hand and
 * place in line ("✋ 2nd", said as "Hand raised, 2nd in line"), a host hears
 * of each hand that goes up in a toast, and our own raised hand lowers
 * itself once we have spoken for the server's `hand_lower_after` seconds
 * (/config.json; 0: never). ../hands.js holds the arithmetic and says why our
 * own page is the one that measures.
 */

import { DEFAULT_LOWER_AFTER, SpeechClock, handPlaces, placeWords, rms } from '../hands.js';
import { t } from '../i18n.js';
import { Role } from '../wire.js';
import { announce, h, toast } from './dom.js';
import { selfTile, tileOf } from './tiles.js';

/**
 * @typedef {import('../session.js').Session} Session
 * @typedef {import('../signaling.js').Participant} Participant
 * @typedef {{track: MediaStreamTrack, level: () => number, close: () => void}} Meter
 */

/** How often our microphone's level is read while our hand is up (ms). */
const SAMPLE_MS = 100;

/** Seconds of our speech after which our raised hand lowers itself (0: never), as the server says. */
let lowerAfter = DEFAULT_LOWER_AFTER;

/** Ask the server how long one speaks before one's hand lowers itself (once, at start). */
export async function loadHandSettings() {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    const body = res.ok ? await res.json() : {};
    if (typeof body.hand_lower_after === 'number' && body.hand_lower_after >= 0) lowerAfter = body.hand_lower_after;
  } catch {
    // An older server, or none reachable yet: its default stands.
  }
}

/** The hands of the meeting on screen, and the watch on our own. */
class Hands {
  /** @param {Session} session @param {(id: string) => string} shown */
  constructor(session, shown) {
    this.session = session;
    this.shown = shown;
    /** @type {Map<string, number | null>} each person's `hand` as last drawn */
    this.seen = new Map();
    this.clock = new SpeechClock();
    /** @type {Meter | null} */
    this.meter = null;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.timer = undefined;
    /** we asked the server to lower our hand, and wait for it to say so */
    this.lowering = false;
  }

  /** Everyone here, ourselves included. @returns {Participant[]} */
  people() {
    const s = this.session;
    return [...(s.you ? [s.you] : []), ...s.participants.values()];
  }

  /** Every tile's hand badge, as the room's hands are now. */
  draw() {
    const places = handPlaces(this.people());
    const you = this.session.you?.id;
    for (const p of this.people()) drawBadge(p.id === you ? selfTile() : tileOf(p.id), places.get(p.id) ?? null);
  }

  /**
   * Someone's hand may have changed: draw it, and tell a host of one that went up.
   * @param {Participant} p @param {boolean} news a change heard now (not the roster we found)
   */
  update(p, news) {
    const before = this.seen.get(p.id) ?? null;
    const now = typeof p.hand === 'number' ? p.hand : null;
    this.seen.set(p.id, now);
    this.draw();
    if (!news || before !== null || now === null || p.id === this.session.you?.id) return;
    if (this.session.you?.role !== Role.HOST) return;
    const place = handPlaces(this.people()).get(p.id);
    if (!place) return;
    const text = t('hands.toast', { name: this.shown(p.id), place: placeWords(place) });
    toast(text);
    announce(text);
  }

  /** Our own hand or microphone changed: start, go on or stop listening for our speech. */
  watch() {
    const up = typeof this.session.you?.hand === 'number';
    if (!up) this.lowering = false;
    if (!up || lowerAfter <= 0) {
      this.stopWatching();
      return;
    }
    if (this.timer === undefined) {
      this.clock.reset();
      this.timer = setInterval(() => this.tick(), SAMPLE_MS);
    }
  }

  /** One reading of our microphone while our hand is up. */
  tick() {
    const track = this.session.localStream.getAudioTracks()[0];
    if (!this.session.audio || !track || track.readyState !== 'live' || this.lowering) {
      this.clock.pause(); // muted: silence is not speech, and the gap is not counted
      return;
    }
    if (this.meter?.track !== track) {
      this.meter?.close();
      this.meter = openMeter(track);
    }
    if (this.clock.feed(this.meter.level(), performance.now() / 1000) < lowerAfter) return;
    this.lowering = true;
    this.session.raiseHand(false);
    toast(t('hands.lowered'));
    announce(t('hands.lowered'));
  }

  stopWatching() {
    clearInterval(this.timer);
    this.timer = undefined;
    this.meter?.close();
    this.meter = null;
    this.clock.reset();
  }
}

/**
 * A level meter on one microphone track, in an audio graph of its own that
 * plays nothing.
 * @param {MediaStreamTrack} track
 * @returns {Meter}
 */
function openMeter(track) {
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  return {
    track,
    level() {
      if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
      analyser.getFloatTimeDomainData(samples);
      return rms(samples);
    },
    close() {
      source.disconnect();
      void ctx.close().catch(() => {});
    },
  };
}

/**
 * A tile's hand: "✋ 2nd" in its corner, said as "Hand raised, 2nd in line"; none when down.
 * @param {HTMLElement | null} tile @param {number | null} place
 */
function drawBadge(tile, place) {
  if (!tile) return;
  let badge = /** @type {HTMLElement | null} */ (tile.querySelector(':scope > .tile-hand'));
  if (place === null) {
    badge?.remove();
    return;
  }
  if (!badge) {
    badge = h('span', { class: 'tile-hand', 'data-testid': 'tile-hand', role: 'img' });
    tile.append(badge);
  }
  const words = placeWords(place);
  badge.textContent = `✋ ${words}`;
  badge.setAttribute('aria-label', t('hands.tile', { place: words }));
  badge.dataset.place = String(place);
}

/** @type {Hands | null} */
let current = null;

/**
 * Follow the hands of a meeting now on screen (after ui/meeting.js's own
 * listeners, so that a newcomer's tile exists when its hand is drawn).
 * @param {Session} session @param {(id: string) => string} shown the name each person is shown by
 */
export function startHands(session, shown) {
  current?.stopWatching();
  const hands = new Hands(session, shown);
  current = hands;
  /** @param {string} type @param {(detail: any) => void} fn */
  const on = (type, fn) =>
    session.on(type, (detail) => {
      if (current === hands) fn(detail);
    });
  on('welcome', () => {
    for (const p of hands.people()) hands.update(p, false);
    hands.watch();
  });
  on('participant-added', (/** @type {Participant} */ p) => hands.update(p, false));
  on('participant-updated', (/** @type {Participant} */ p) => hands.update(p, true));
  on('participant-removed', (/** @type {{id: string}} */ e) => {
    hands.seen.delete(e.id);
    hands.draw();
  });
  on('you-updated', (/** @type {Participant} */ p) => {
    hands.update(p, true);
    hands.watch();
  });
  on('local-media', () => hands.watch());
  on('ended', () => hands.stopWatching());
}
