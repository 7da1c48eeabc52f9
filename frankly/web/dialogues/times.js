// @ts-check
/**
 * Times across zones, for people: pure functions, no DOM (Node tests them).
 *
 * The API speaks UTC instants; a page shows each one in the viewer's zone
 * and beside it in every side's zone, in the same shape as the server's
 * `shown` line (frankly/dialogues/zones.py), so that a page and a calendar
 * file or a bot read alike: "Tue 1 Dec 2026, 18:00 in Moscow · 10:00 in
 * New York". A place is the zone's city; a time on another day than the
 * viewer's says which day. In English, names are the server's, assembled
 * from numeric parts so that no ICU version changes the text; in another
 * language of the interface (i18n.js), Intl writes them in that language.
 */

import { language, t } from '../i18n.js';

export const SEPARATOR = ' · ';
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The viewer's IANA zone, as the browser knows it. @returns {string} */
export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone this browser knows, for the sides' zone pickers. @returns {string[]} */
export function knownZones() {
  const intl = /** @type {any} */ (Intl);
  const zones = typeof intl.supportedValuesOf === 'function' ? intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : [...zones, 'UTC'];
}

/**
 * The zone a person typed: an IANA name as it is, or a city as people write
 * it ("new york" -> America/New_York); null when none is meant.
 * @param {string} typed @param {ReadonlyArray<string>} zones
 * @returns {string | null}
 */
export function zoneFor(typed, zones) {
  const text = typed.trim();
  if (zones.includes(text)) return text;
  const wanted = text.toLowerCase().replaceAll('_', ' ');
  if (!wanted) return null;
  return zones.find((z) => z.toLowerCase() === wanted || city(z).toLowerCase() === wanted) ?? null;
}

/** The place a zone is named after: America/Argentina/Buenos_Aires -> Buenos Aires. @param {string} zone */
export function city(zone) {
  return (zone.split('/').pop() ?? zone).replaceAll('_', ' ');
}

/** @type {Map<string, Intl.DateTimeFormat>} */
const formats = new Map();

/** @param {string} zone */
function format(zone) {
  let found = formats.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(zone, found);
  }
  return found;
}

/**
 * The wall clock in `zone` at instant `ms`.
 * @param {number} ms @param {string} zone
 * @returns {{year: number, month: number, day: number, hour: number, minute: number, second: number}}
 */
export function wallClock(ms, zone) {
  /** @type {Record<string, number>} */
  const got = {};
  for (const part of format(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') got[part.type] = Number(part.value);
  }
  return {
    year: got.year, month: got.month, day: got.day,
    hour: got.hour % 24, minute: got.minute, second: got.second,
  };
}

/** @param {{year: number, month: number, day: number}} d */
function dayOf(d) {
  if (language() !== 'en') {
    const options = /** @type {const} */ ({ timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    return new Intl.DateTimeFormat(language(), options).format(Date.UTC(d.year, d.month - 1, d.day));
  }
  const weekday = WEEKDAYS[new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()];
  return `${weekday} ${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
}

/** @param {number} n */
const two = (n) => String(n).padStart(2, '0');

/** A day of the calendar, no zone: "2027-03-20" -> "Sat 20 Mar 2027". @param {string} day */
export function dayText(day) {
  const [year, month, date] = day.split('-').map(Number);
  return dayOf({ year, month, day: date });
}

/**
 * One instant for people: the viewer's day and time, then each side's time
 * (once per distinct zone), as the server's `shown` line.
 * @param {string | number} at an ISO instant or milliseconds
 * @param {string} viewer the viewer's zone
 * @param {ReadonlyArray<{zone: string}>} sides
 * @returns {string}
 */
export function timeLine(at, viewer, sides) {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const first = wallClock(ms, viewer);
  const parts = [`${dayOf(first)}, ${t('times.in', { time: `${two(first.hour)}:${two(first.minute)}`, place: city(viewer) })}`];
  const seen = new Set([viewer]);
  for (const { zone } of sides) {
    if (seen.has(zone)) continue;
    seen.add(zone);
    const there = wallClock(ms, zone);
    const clock = t('times.in', { time: `${two(there.hour)}:${two(there.minute)}`, place: city(zone) });
    const sameDay = there.year === first.year && there.month === first.month && there.day === first.day;
    parts.push(sameDay ? clock : `${clock} (${dayOf(there)})`);
  }
  return parts.join(SEPARATOR);
}

/** Milliseconds `zone` is ahead of UTC at instant `ms`. @param {number} ms @param {string} zone */
function offset(ms, zone) {
  const w = wallClock(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * A wall-clock time typed in `zone` (a datetime-local value, "2027-03-16T18:00")
 * as the UTC instant the API takes ("2027-03-16T15:00:00Z"), or null when it is
 * not a time. A time that a clock change skips is taken after the change.
 * @param {string} value @param {string} zone
 * @returns {string | null}
 */
export function zonedToUtc(value, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  if (Number.isNaN(guess) || month < 1 || month > 12 || hour > 23 || minute > 59) return null;
  let ms = guess - offset(guess, zone);
  const again = guess - offset(ms, zone);
  if (again !== ms) ms = Math.max(ms, again);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** An instant as a datetime-local value in `zone`. @param {string | number} at @param {string} zone */
export function utcToZoned(at, zone) {
  const w = wallClock(typeof at === 'number' ? at : Date.parse(at), zone);
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}

/**
 * A meeting's date as people read it.
 * @param {{kind: string, by?: string | null, at?: string | null}} date the API's DateOut
 * @param {string} viewer @param {ReadonlyArray<{zone: string}>} sides
 */
export function dateText(date, viewer, sides) {
  if (date.kind === 'scheduled' && date.at) return timeLine(date.at, viewer, sides);
  if (date.kind === 'asap') return t('times.asap');
  if (date.kind === 'by' && date.by) return t('times.by', { day: dayText(date.by) });
  return t('times.tba');
}

/**
 * How soon something ends, for a link's expiry: "in 7 days", "in 10 minutes", "expired".
 * @param {string} at @param {number} now milliseconds
 */
export function untilText(at, now) {
  const minutes = Math.round((Date.parse(at) - now) / 60000);
  if (minutes <= 0) return t('times.expired');
  const words = new Intl.RelativeTimeFormat(language(), { numeric: 'always' });
  /** @param {number} n @param {Intl.RelativeTimeFormatUnit} unit */
  const count = (n, unit) => words.format(n, unit);
  if (minutes < 90) return count(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours < 48) return count(hours, 'hour');
  return count(Math.round(hours / 24), 'day');
}

/** A meeting's planned length: "45 minutes", "1 hour", "90 minutes", "3 hours". @param {number} minutes */
export function lengthText(minutes) {
  /** @param {number} n @param {string} unit */
  const count = (n, unit) => new Intl.NumberFormat(language(), { style: 'unit', unit, unitDisplay: 'long' }).format(n);
  return minutes % 60 ? count(minutes, 'minute') : count(minutes / 60, 'hour');
}
