// @ts-check
/**
 * Each remote tile's network quality: Good, Fair or Poor, from what really
 * arrives from that person (getStats every QUALITY_EVERY_MS: packets lost,
 * jitter, round trip, frames decoded a second, and the picture height,
 * which on the SFU is the layer it forwards). Shown in words beside three
 * bars (never colour alone), with the measures in the tooltip and, for
 * screen readers, in the badge's accessible name.
 *
 * sampleOf, measure and classify are pure (tests/web/quality.test.mjs);
 * qualityBadge is the one element ui/tiles.js puts on a tile, and
 * watchQuality the timer that fills it (ui/meeting.js starts it).
 */

import { t } from '../i18n.js';

/**
 * @typedef {'good' | 'fair' | 'poor'} Level
 * @typedef {{at: number, packetsReceived: number, packetsLost: number, framesDecoded: number,
 *            jitter: number, rtt: number | null, height: number}} Sample
 *   totals from one getStats (ms `at`; jitter and rtt in seconds, the worst
 *   of the person's streams; height of their video, 0 when none)
 * @typedef {{loss: number, jitter: number, rtt: number | null, fps: number, height: number}} Measures
 *   over the time between two samples: loss 0..1, fps frames decoded a second
 * @typedef {{level: Level, why: string[]}} Verdict `why`: which measures made it worse than good
 */

/** How often each tile's quality is measured, ms. */
export const QUALITY_EVERY_MS = 2000;

/**
 * Where each measure stops being good, and where it becomes poor. Loss:
 * a few percent is heard as crackle, ten is broken speech. Jitter and round
 * trip: what the jitter buffer hides, and when talking over each other
 * begins (about 300 ms one way is where a call feels laggy). Frames: below
 * 15 a second motion stutters, below 5 it is a slideshow.
 */
export const LIMITS = {
  loss: { fair: 0.02, poor: 0.08 },
  jitter: { fair: 0.03, poor: 0.1 },
  rtt: { fair: 0.3, poor: 0.6 },
  fps: { fair: 15, poor: 5 },
};

/**
 * Totals of one person's inbound streams from a getStats report.
 * @param {Iterable<any>} report the values of an RTCStatsReport
 * @param {Set<string> | null} mids only these transceivers (null: all; on the SFU, one person's)
 * @param {number} at when, ms
 * @returns {Sample}
 */
export function sampleOf(report, mids, at) {
  /** @type {Sample} */
  const out = { at, packetsReceived: 0, packetsLost: 0, framesDecoded: 0, jitter: 0, rtt: null, height: 0 };
  for (const s of report) {
    if (s.type === 'inbound-rtp' && (!mids || mids.has(s.mid ?? ''))) {
      out.packetsReceived += s.packetsReceived ?? 0;
      out.packetsLost += Math.max(0, s.packetsLost ?? 0);
      out.jitter = Math.max(out.jitter, s.jitter ?? 0);
      if (s.kind === 'video') {
        out.framesDecoded += s.framesDecoded ?? 0;
        out.height = Math.max(out.height, s.frameHeight ?? 0);
      }
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number') {
      out.rtt = s.currentRoundTripTime;
    }
  }
  return out;
}

/**
 * What happened between two samples.
 * @param {Sample} before @param {Sample} now
 * @returns {Measures}
 */
export function measure(before, now) {
  const received = Math.max(0, now.packetsReceived - before.packetsReceived);
  const lost = Math.max(0, now.packetsLost - before.packetsLost);
  const seconds = Math.max(0.001, (now.at - before.at) / 1000);
  return {
    loss: received + lost > 0 ? lost / (received + lost) : 0,
    jitter: now.jitter,
    rtt: now.rtt,
    fps: Math.max(0, now.framesDecoded - before.framesDecoded) / seconds,
    height: now.height,
  };
}

/**
 * Good, fair or poor: the worst of the measures. Frames count only while
 * the person's camera is on (`video`); nothing received at all is poor.
 * @param {Measures} m @param {{video: boolean, received: boolean}} expect
 * @returns {Verdict}
 */
export function classify(m, { video, received }) {
  if (!received) return { level: 'poor', why: ['nothing'] };
  /** @type {[string, Level][]} */
  const marks = [
    ['loss', grade(m.loss, LIMITS.loss)],
    ['jitter', grade(m.jitter, LIMITS.jitter)],
    ['rtt', m.rtt === null ? 'good' : grade(m.rtt, LIMITS.rtt)],
    ['fps', video ? gradeLow(m.fps, LIMITS.fps) : 'good'],
  ];
  const level = marks.some(([, l]) => l === 'poor') ? 'poor' : marks.some(([, l]) => l === 'fair') ? 'fair' : 'good';
  return { level, why: marks.filter(([, l]) => l !== 'good').map(([name]) => name) };
}

/** @param {number} value @param {{fair: number, poor: number}} limit higher is worse @returns {Level} */
function grade(value, limit) {
  return value >= limit.poor ? 'poor' : value >= limit.fair ? 'fair' : 'good';
}

/** @param {number} value @param {{fair: number, poor: number}} limit lower is worse @returns {Level} */
function gradeLow(value, limit) {
  return value < limit.poor ? 'poor' : value < limit.fair ? 'fair' : 'good';
}

/**
 * The measures in words, for the tooltip and screen readers.
 * @param {Level} level @param {Measures} m @param {boolean} video
 * @returns {{word: string, details: string}}
 */
export function describe(level, m, video) {
  const parts = [
    t('quality.loss', { n: (m.loss * 100).toFixed(1) }),
    t('quality.jitter', { n: Math.round(m.jitter * 1000) }),
  ];
  if (m.rtt !== null) parts.push(t('quality.rtt', { n: Math.round(m.rtt * 1000) }));
  if (video) parts.push(t('quality.fps', { n: Math.round(m.fps) }));
  if (video && m.height) parts.push(t('quality.height', { n: m.height }));
  const word = t(`quality.${level}`);
  return { word, details: t('quality.details', { level: word, measures: parts.join(', ') }) };
}

/** The badge a remote tile carries (ui/tiles.js): hidden until measured. @returns {HTMLElement} */
export function qualityBadge() {
  const badge = document.createElement('span');
  badge.className = 'tile-quality';
  badge.dataset.testid = 'tile-quality';
  badge.setAttribute('role', 'img');
  badge.hidden = true;
  const bars = document.createElement('span');
  bars.className = 'quality-bars';
  bars.setAttribute('aria-hidden', 'true');
  for (let i = 0; i < 3; i++) bars.append(document.createElement('i'));
  const word = document.createElement('span');
  word.className = 'quality-word';
  word.setAttribute('aria-hidden', 'true'); // the badge's name says it, with the measures
  badge.append(bars, word);
  return badge;
}

/**
 * @param {HTMLElement} badge @param {Verdict} verdict @param {Measures} m @param {boolean} video
 */
function renderBadge(badge, verdict, m, video) {
  const { word, details } = describe(verdict.level, m, video);
  badge.hidden = false;
  badge.dataset.level = verdict.level;
  badge.title = details;
  badge.setAttribute('aria-label', details);
  /** @type {HTMLElement} */ (badge.querySelector('.quality-word')).textContent = word;
}

/**
 * Measure every remote tile's quality every QUALITY_EVERY_MS while a
 * session is on screen.
 * @param {() => import('../session.js').Session | null} sessionNow
 * @param {(id: string) => HTMLElement | null} tileOf
 */
export function watchQuality(sessionNow, tileOf) {
  /** @type {Map<string, Sample>} the last sample of each person, by id */
  const last = new Map();
  /** @type {unknown} */
  let measured = null;
  setInterval(async () => {
    const session = sessionNow();
    if (session !== measured) last.clear(); // a new meeting: no deltas across it
    measured = session;
    if (!session) return;
    for (const [id, p] of session.participants) {
      const from = session.mediaFrom(id);
      const badge = /** @type {HTMLElement | null} */ (tileOf(id)?.querySelector('.tile-quality') ?? null);
      if (!from || !badge) continue;
      const report = await from.pc.getStats().catch(() => null);
      if (!report) continue;
      const now = sampleOf(report.values(), from.mids, performance.now());
      const before = last.get(id);
      last.set(id, now);
      if (!before) continue;
      const m = measure(before, now);
      const video = p.video && now.height > 0;
      renderBadge(badge, classify(m, { video, received: now.packetsReceived > before.packetsReceived }), m, video);
    }
    for (const id of last.keys()) if (!session.participants.has(id)) last.delete(id);
  }, QUALITY_EVERY_MS);
}
