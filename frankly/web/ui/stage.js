// @ts-check
/**
 * The stage's layout: which tile is large and where every tile goes. The
 * layouts are a grid that fills the stage, and one tile large with the
 * rest in a strip: the pinned tile, else a screen share (presenter view,
 * taken over by itself while anyone shares), else, in speaker view, the
 * active speaker. Each tile gets a Pin / Unpin and a Full screen button;
 * our own tile can be hidden from us (we still send). The boxes come from
 * layout.js; a tile's new size reaches the SFU through the tile's own
 * ResizeObserver in tiles.js (`view`), so a strip tile asks for a small
 * layer and the large one for a large layer.
 */

import { t } from '../i18n.js';
import { bounds, cornerLayout, focusLayout, gridRects } from '../layout.js';
import { byId, h } from './dom.js';

/** @typedef {import('../layout.js').Rect} Rect */
/** @typedef {'grid' | 'speaker'} Mode */
/** @typedef {[HTMLElement, Rect, 'main' | 'strip' | 'grid' | 'corner']} Placed a tile, its box, its part of the layout */

/** The space between tiles, in CSS pixels (as style.css had for the grid). */
const GAP = 12;
/** ... and at phone width. */
const PHONE_GAP = 8;
/** At most this wide, the meeting scrolls as a page and the stage is as high as its tiles. */
const PHONE = '(max-width: 760px)';
/** The lowest a phone's stage is made, whatever the window (CSS pixels). */
const PHONE_MIN_HEIGHT = 220;

const state = {
  /** @type {Mode} what the person chose */
  mode: /** @type {Mode} */ ('grid'),
  /** @type {string | null} the pinned tile's key (see keyOf) */
  pinned: null,
  hideSelf: false,
  /** @type {string | null} the last remote participant who spoke */
  speaker: null,
  /** the key of the tile laid out large last time, to tell a change */
  main: '',
};

/** Tiles in the order their screen share first came: the newest share presents. */
const shareOrder = new Map();
let shares = 0;

/** @returns {HTMLElement} */
function stageTiles() {
  return byId('tiles');
}

/**
 * What names a tile across redraws: `self`, `screen:<owner>`, or the participant's id.
 * @param {HTMLElement} tile @returns {string}
 */
function keyOf(tile) {
  if (tile.dataset.screenOf) return `screen:${tile.dataset.screenOf}`;
  if (tile.dataset.self) return 'self';
  return tile.dataset.participantId ?? '';
}

/** @returns {HTMLElement[]} every tile on the stage, in page order */
function allTiles() {
  return /** @type {HTMLElement[]} */ ([...stageTiles().querySelectorAll(':scope > .tile')]);
}

/**
 * The tile shown large, or null for the grid: a pinned one first, then the
 * newest screen share, then (speaker view) who spoke last, else anyone else.
 * @param {HTMLElement[]} shown the tiles not hidden
 * @returns {HTMLElement | null}
 */
function mainTile(shown) {
  const find = (/** @type {string | null} */ key) => (key ? (shown.find((tile) => keyOf(tile) === key) ?? null) : null);
  const pinned = find(state.pinned);
  if (pinned) return pinned;
  const screens = shown.filter((tile) => tile.dataset.screenOf);
  if (screens.length) return screens.reduce((a, b) => ((shareOrder.get(keyOf(a)) ?? 0) > (shareOrder.get(keyOf(b)) ?? 0) ? a : b));
  if (state.mode !== 'speaker') return null;
  return find(state.speaker) ?? shown.find((tile) => !tile.dataset.self) ?? null;
}

/**
 * Place one tile: its box as custom properties style.css reads (a full
 * screen tile ignores them), and what part of the layout it is.
 * @param {HTMLElement} tile @param {Rect} r @param {'main' | 'strip' | 'grid' | 'corner'} place
 */
function place(tile, r, place) {
  tile.style.setProperty('--x', `${Math.round(r.x)}px`);
  tile.style.setProperty('--y', `${Math.round(r.y)}px`);
  tile.style.setProperty('--w', `${Math.floor(r.width)}px`);
  tile.style.setProperty('--h', `${Math.floor(r.height)}px`);
  tile.dataset.place = place;
}

/** Lay every tile out again, from the stage's size and the layout's state. */
function layout() {
  const box = stageTiles();
  const tiles = allTiles();
  const self = tiles.find((tile) => tile.dataset.self);
  if (self) self.hidden = state.hideSelf;
  const shown = tiles.filter((tile) => !tile.hidden);
  if (state.pinned && !shown.some((tile) => keyOf(tile) === state.pinned)) state.pinned = null; // they left, or hid
  const phone = matchMedia(PHONE).matches;
  const gap = phone ? PHONE_GAP : GAP;
  const width = box.clientWidth;
  const height = phone ? phoneHeight() : box.clientHeight;
  const main = mainTile(shown);
  /** @type {Placed[]} */
  let placed;
  if (main) {
    const rest = shown.filter((tile) => tile !== main);
    const f = focusLayout(rest.length, width, height, gap);
    placed = [[main, f.main, 'main'], ...rest.map((tile, i) => /** @type {Placed} */ ([tile, f.strip[i], 'strip']))];
    box.dataset.layout = f.side === 'right' ? 'focus-right' : 'focus';
  } else if (phone && shown.length === 2 && shown.includes(/** @type {HTMLElement} */ (self))) {
    const other = /** @type {HTMLElement} */ (shown.find((tile) => tile !== self));
    const c = cornerLayout(width, height, gap);
    placed = [
      [other, c.main, 'grid'],
      [/** @type {HTMLElement} */ (self), c.corner, 'corner'],
    ];
    box.dataset.layout = 'grid';
  } else {
    const rects = gridRects(shown.length, { x: 0, y: 0, width, height }, gap);
    placed = shown.map((tile, i) => /** @type {Placed} */ ([tile, rects[i], 'grid']));
    box.dataset.layout = 'grid';
  }
  if (phone) {
    // A phone's stage is as high as its tiles: no band above or below them.
    const b = bounds(placed.map(([, r]) => r));
    placed = placed.map(([tile, r, where]) => /** @type {Placed} */ ([tile, { ...r, y: r.y - b.y }, where]));
    box.style.height = `${Math.ceil(b.height)}px`;
  } else box.style.removeProperty('height');
  for (const tile of tiles) delete tile.dataset.place;
  for (const [tile, r, where] of placed) place(tile, r, where);
  state.main = main ? keyOf(main) : '';
  renderControls(tiles);
}

/** How high a phone's stage may be: the window under the top bar, above the controls. */
function phoneHeight() {
  const top = document.querySelector('#screen-meeting .topbar')?.getBoundingClientRect().height ?? 0;
  const controls = document.querySelector('#screen-meeting .controls')?.getBoundingClientRect().height ?? 0;
  return Math.max(PHONE_MIN_HEIGHT, window.innerHeight - top - controls - 2 * PHONE_GAP);
}

let pending = 0;

/** Lay out at the next frame: many changes at once cost one layout. */
export function relayout() {
  if (pending) return;
  pending = requestAnimationFrame(() => {
    pending = 0;
    layout();
  });
}

/**
 * A tile's own buttons: Pin / Unpin and Full screen, top right, each said
 * in words to a screen reader.
 * @param {HTMLElement} tile
 */
function decorate(tile) {
  if (tile.querySelector(':scope > .tile-actions')) return;
  const pin = h('button', { type: 'button', class: 'btn btn-small tile-action tile-pin', 'data-testid': 'tile-pin', 'aria-pressed': 'false' });
  pin.append(h('span', { 'aria-hidden': 'true' }, '📌'));
  pin.addEventListener('click', () => {
    const key = keyOf(tile);
    state.pinned = state.pinned === key ? null : key;
    layout();
  });
  const full = h('button', { type: 'button', class: 'btn btn-small tile-action tile-full', 'data-testid': 'tile-fullscreen' });
  full.append(h('span', { class: 'icon icon-full', 'aria-hidden': 'true' }));
  full.addEventListener('click', () => {
    if (document.fullscreenElement === tile) void document.exitFullscreen().catch(() => {});
    else void tile.requestFullscreen().catch(() => {});
  });
  full.hidden = !document.fullscreenEnabled;
  const actions = h('div', { class: 'tile-actions' });
  actions.append(pin, full);
  tile.append(actions);
}

/** Every button's words and state as the layout now is. @param {HTMLElement[]} tiles */
function renderControls(tiles) {
  for (const tile of tiles) {
    decorate(tile);
    const pinned = state.pinned === keyOf(tile);
    const pin = /** @type {HTMLElement} */ (tile.querySelector('.tile-pin'));
    setLabel(pin, t(pinned ? 'layout.unpin' : 'layout.pin'));
    pin.setAttribute('aria-pressed', String(pinned));
    tile.toggleAttribute('data-pinned', pinned);
    const full = /** @type {HTMLElement} */ (tile.querySelector('.tile-full'));
    setLabel(full, t(document.fullscreenElement === tile ? 'layout.exitFullscreen' : 'layout.fullscreen'));
  }
  for (const b of document.querySelectorAll('[data-layout-mode]')) {
    const mode = /** @type {HTMLElement} */ (b).dataset.layoutMode;
    b.setAttribute('aria-pressed', String(mode === state.mode));
  }
  byId('btn-hide-self').setAttribute('aria-pressed', String(state.hideSelf));
  byId('self-hidden').hidden = !state.hideSelf;
}

/** @param {HTMLElement} button @param {string} words */
function setLabel(button, words) {
  if (button.getAttribute('aria-label') !== words) button.setAttribute('aria-label', words);
  if (button.title !== words) button.title = words;
}

/** Choose grid or speaker view. @param {Mode} mode */
export function setMode(mode) {
  state.mode = mode;
  layout();
}

/** Hide our own tile from ourselves, or show it again. @param {boolean} hide */
export function hideSelfView(hide) {
  state.hideSelf = hide;
  layout();
}

/**
 * The active speaker changed: in speaker view, a remote one becomes the
 * large tile (we never take the stage from ourselves).
 * @param {string} id
 */
export function speaking(id) {
  const tile = allTiles().find((el) => !el.dataset.self && !el.dataset.screenOf && el.dataset.participantId === id);
  if (!tile || state.speaker === id) return;
  state.speaker = id;
  if (state.mode === 'speaker') relayout();
}

/**
 * Whether we share our screen: "You are presenting", with its stop button.
 * @param {boolean} on
 */
export function presenting(on) {
  byId('presenting').hidden = !on;
}

/** A new meeting: nothing pinned, nobody spoke; the chosen view and self view stay. */
export function resetStage() {
  state.pinned = null;
  state.speaker = null;
  shareOrder.clear();
  presenting(false);
  relayout();
}

/**
 * Watch the stage (tiles come and go, its size changes, full screen) and
 * wire the layout menu. Once, at start.
 */
export function initStage() {
  const box = stageTiles();
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        const tile = /** @type {HTMLElement} */ (node);
        if (tile.dataset?.screenOf && !shareOrder.has(keyOf(tile))) shareOrder.set(keyOf(tile), ++shares);
      }
      for (const node of change.removedNodes) {
        const tile = /** @type {HTMLElement} */ (node);
        if (tile.dataset?.screenOf) shareOrder.delete(keyOf(tile));
      }
    }
    relayout();
  }).observe(box, { childList: true });
  new ResizeObserver(relayout).observe(box);
  window.addEventListener('resize', relayout);
  document.addEventListener('fullscreenchange', () => renderControls(allTiles()));
  for (const b of document.querySelectorAll('[data-layout-mode]')) {
    b.addEventListener('click', () => {
      setMode(/** @type {Mode} */ (/** @type {HTMLElement} */ (b).dataset.layoutMode));
      byId('layout-menu').removeAttribute('open');
    });
  }
  byId('btn-hide-self').addEventListener('click', () => hideSelfView(!state.hideSelf));
  byId('btn-show-self').addEventListener('click', () => hideSelfView(false));
  relayout();
}
