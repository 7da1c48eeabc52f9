// @ts-check
/**
 * Raised hands without the DOM: each raised hand's place in line (from the
 * server's `hand` numbers: lower went up first), the words for a place
 * ("2nd"), and SpeechClock, which adds up how long someone has spoken from
 * their microphone's level, so that their hand lowers itself once they had
 * the word. The Node tests import this file.
 *
 * Why the speaker's own page measures: it hears its microphone before
 * encryption, in a call of two and on the SFU alike; the server could read
 * audio levels only from the SFU's packets, and a call of two never reaches it.
 */

import { language, t } from './i18n.js';
import { handOrder } from './roster.js';

/** Seconds of speech before a hand lowers itself, when the server does not say (its own default). */
export const DEFAULT_LOWER_AFTER = 5;

/**
 * Each raised hand's place in line, 1 for the first up.
 * @param {Iterable<{id: string, hand?: number | null}>} people
 * @returns {Map<string, number>} id -> place, for raised hands only
 */
export function handPlaces(people) {
  return new Map(handOrder([...people]).map((id, i) => [id, i + 1]));
}

/**
 * A place in line in the interface's language: "1st", "2nd" (English ordinals
 * by Intl.PluralRules' ordinal categories), "2.º", "2-й".
 * @param {number} place
 * @returns {string}
 */
export function placeWords(place) {
  const category = new Intl.PluralRules(language(), { type: 'ordinal' }).select(place);
  const key = `hands.place.${category}`;
  const text = t(key, { n: place });
  return text === key ? t('hands.place.other', { n: place }) : text;
}

/** The loudness (RMS of samples in -1..1) from which a moment counts as speech: about -34 dBFS. */
export const SPEECH_LEVEL = 0.02;
/** Seconds after a loud moment that still count as speech: the pauses between words. */
export const HANGOVER = 0.4;
/** The most one step between samples counts (s): a timer held back in a hidden tab adds no more. */
export const MAX_STEP = 0.5;

/**
 * The root mean square of audio samples.
 * @param {ArrayLike<number>} samples
 * @returns {number}
 */
export function rms(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) sum += samples[i] * samples[i];
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

/**
 * Adds up the seconds someone has spoken, from microphone levels sampled now
 * and then. Speech starts with two loud readings in a row, so a click, a
 * key struck or a short beep (one loud reading) is not speech; once started
 * it lasts HANGOVER past each loud reading, over the pauses between words.
 * A step between two readings counts when the later one is in speech. Time
 * is passed in, so the tests drive it by hand.
 */
export class SpeechClock {
  constructor() {
    /** seconds of speech so far */
    this.spoken = 0;
    /** @type {number | null} when the last reading was taken (s) */
    this.last = null;
    /** whether the last reading was loud */
    this.wasLoud = false;
    /** until when (s) the speech heard so far lasts */
    this.until = -Infinity;
  }

  /**
   * @param {number} level the RMS level now
   * @param {number} now seconds, on any steady clock
   * @returns {number} seconds of speech so far
   */
  feed(level, now) {
    const loud = level >= SPEECH_LEVEL;
    if (loud && (this.wasLoud || now <= this.until)) this.until = now + HANGOVER;
    if (this.last !== null && now <= this.until) this.spoken += Math.min(Math.max(now - this.last, 0), MAX_STEP);
    this.wasLoud = loud;
    this.last = now;
    return this.spoken;
  }

  /** Start again from nothing (a hand raised anew). */
  reset() {
    this.pause();
    this.spoken = 0;
  }

  /** A gap in the readings (muted): it is not counted, and speech starts anew after it. */
  pause() {
    this.last = null;
    this.wasLoud = false;
    this.until = -Infinity;
  }
}
