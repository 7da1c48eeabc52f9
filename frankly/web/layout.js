// @ts-check
/**
 * Layout arithmetic shared by the meeting screen and the SFU link: how many
 * device pixels high a tile shows video, which is what the SFU needs to
 * pick a simulcast layer (docs/protocol.md, `view`). Pure functions, no
 * DOM: the Node tests (tests/web/) import this file.
 */

/** The tallest video the protocol's `view` message accepts (8K). */
export const MAX_VIEW_HEIGHT = 4320;

/**
 * A height as the `view` message carries it: whole pixels from 0 to
 * MAX_VIEW_HEIGHT (anything not a number counts as hidden).
 * @param {number} px
 * @returns {number}
 */
export function clampHeight(px) {
  if (!Number.isFinite(px)) return px === Infinity ? MAX_VIEW_HEIGHT : 0;
  return Math.max(0, Math.min(MAX_VIEW_HEIGHT, Math.round(px)));
}

/**
 * How many device pixels high a tile of this CSS height shows its video:
 * a phone's screen of ratio 3 needs three times the pixels of its CSS box.
 * @param {number} cssHeight the tile's content box, in CSS pixels
 * @param {number} devicePixelRatio window.devicePixelRatio (1 if unknown)
 * @returns {number}
 */
export function tileViewHeight(cssHeight, devicePixelRatio) {
  const ratio = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  return clampHeight(cssHeight * ratio);
}

/** Tiles show 16:9 video: the shape every layout keeps. */
export const TILE_ASPECT = 16 / 9;

/**
 * @typedef {{x: number, y: number, width: number, height: number}} Rect
 *   a tile's box inside the stage, in CSS pixels from its top left corner
 * @typedef {{columns: number, rows: number, width: number, height: number}} Grid
 *   how many columns and rows, and each tile's size
 */

/**
 * The grid that shows `count` tiles of `aspect` as large as they can be in
 * a box of `width` × `height` with `gap` between them: every column count
 * is tried, and the one whose tiles come out widest wins. So four tiles are
 * two by two, never three and one with a band of nothing.
 * @param {number} count @param {number} width @param {number} height
 * @param {number} [gap] @param {number} [aspect]
 * @returns {Grid}
 */
export function bestGrid(count, width, height, gap = 0, aspect = TILE_ASPECT) {
  let best = { columns: 1, rows: 1, width: 0, height: 0 };
  if (count < 1 || !(width > 0) || !(height > 0)) return best;
  for (let columns = 1; columns <= count; columns += 1) {
    const rows = Math.ceil(count / columns);
    const byWidth = (width - (columns - 1) * gap) / columns;
    const byHeight = ((height - (rows - 1) * gap) / rows) * aspect;
    const w = Math.max(0, Math.min(byWidth, byHeight));
    if (w > best.width) best = { columns, rows, width: w, height: w / aspect };
  }
  return best;
}

/**
 * Where each of `count` tiles of a grid goes in a box: the whole grid in
 * the middle, a last row that is not full centred under the others.
 * @param {number} count @param {Rect} box @param {number} [gap] @param {number} [aspect]
 * @returns {Rect[]}
 */
export function gridRects(count, box, gap = 0, aspect = TILE_ASPECT) {
  const g = bestGrid(count, box.width, box.height, gap, aspect);
  const top = box.y + (box.height - (g.rows * g.height + (g.rows - 1) * gap)) / 2;
  /** @type {Rect[]} */
  const rects = [];
  for (let i = 0; i < count; i += 1) {
    const row = Math.floor(i / g.columns);
    const inRow = Math.min(g.columns, count - row * g.columns);
    const left = box.x + (box.width - (inRow * g.width + (inRow - 1) * gap)) / 2;
    const column = i % g.columns;
    rects.push({ x: left + column * (g.width + gap), y: top + row * (g.height + gap), width: g.width, height: g.height });
  }
  return rects;
}

/**
 * The largest box of `aspect` inside `box`, in its middle.
 * @param {Rect} box @param {number} [aspect] @returns {Rect}
 */
export function fitRect(box, aspect = TILE_ASPECT) {
  const width = Math.max(0, Math.min(box.width, box.height * aspect));
  const height = width / aspect;
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
}

/**
 * @typedef {{main: Rect, strip: Rect[], side: 'right' | 'bottom' | 'none'}} Focus
 *   one tile large and the rest in a strip, to the right or under it
 */

/** A strip is at most this share of the stage, so the main tile stays the large one. */
const STRIP_SHARE = 0.22;
/** ...and its tiles at most this share of the main tile's height. */
const STRIP_OF_MAIN = 0.4;
/** ...and a strip tile no smaller than this many CSS pixels high, where the stage allows. */
const STRIP_MIN = 56;
/** ...nor larger. */
const STRIP_MAX = 160;

/**
 * One tile large, `others` small in a strip beside it: the strip goes to
 * the right or along the bottom, whichever leaves the main tile larger (on
 * a phone's tall stage, a row under it; on a wide one, whichever fits).
 * @param {number} others how many tiles the strip holds
 * @param {number} width @param {number} height the stage's box
 * @param {number} [gap] @param {number} [aspect]
 * @returns {Focus}
 */
export function focusLayout(others, width, height, gap = 0, aspect = TILE_ASPECT) {
  const whole = { x: 0, y: 0, width, height };
  if (others < 1) return { main: fitRect(whole, aspect), strip: [], side: 'none' };
  // A strip tile stays well under half the main one's size, even on a phone's narrow stage.
  const stripHigh = clamp(Math.min(height * STRIP_SHARE, (width / aspect) * STRIP_OF_MAIN), STRIP_MIN, STRIP_MAX);
  const stripWide = clamp(Math.min(width * STRIP_SHARE, height * aspect * STRIP_OF_MAIN), STRIP_MIN * aspect, STRIP_MAX * aspect);
  const bottom = packed(
    fitRect({ x: 0, y: 0, width, height: Math.max(0, height - stripHigh - gap) }, aspect),
    gridRects(others, { x: 0, y: height - stripHigh, width, height: stripHigh }, gap, aspect),
    'bottom',
    height,
    gap,
  );
  const right = packed(
    fitRect({ x: 0, y: 0, width: Math.max(0, width - stripWide - gap), height }, aspect),
    gridRects(others, { x: width - stripWide, y: 0, width: stripWide, height }, gap, aspect),
    'right',
    width,
    gap,
  );
  return area(right.main) > area(bottom.main) ? right : bottom;
}

/**
 * The main tile and its strip side by side with one gap between them, the
 * pair in the middle of the stage: no band of nothing between the two.
 * @param {Rect} main @param {Rect[]} strip @param {'right' | 'bottom'} side
 * @param {number} length the stage's width (right) or height (bottom)
 * @param {number} gap
 * @returns {Focus}
 */
function packed(main, strip, side, length, gap) {
  const axis = side === 'right' ? 'x' : 'y';
  const size = side === 'right' ? 'width' : 'height';
  const from = Math.min(...strip.map((r) => r[axis]));
  const to = Math.max(...strip.map((r) => r[axis] + r[size]));
  const start = (length - (main[size] + gap + (to - from))) / 2;
  const shift = start + main[size] + gap - from;
  return {
    main: { ...main, [axis]: start },
    strip: strip.map((r) => ({ ...r, [axis]: r[axis] + shift })),
    side,
  };
}

/**
 * Two on a phone: the other person fills the stage, and our own tile is a
 * small picture in its bottom right corner (clear of their tile's buttons,
 * top right, and their name, bottom left).
 * @param {number} width @param {number} height @param {number} [inset] @param {number} [aspect]
 * @returns {{main: Rect, corner: Rect}}
 */
export function cornerLayout(width, height, inset = 8, aspect = TILE_ASPECT) {
  const main = fitRect({ x: 0, y: 0, width, height }, aspect);
  const w = main.width * CORNER_SHARE;
  const h = w / aspect;
  const corner = { x: main.x + main.width - w - inset, y: main.y + main.height - h - inset, width: w, height: h };
  return { main, corner };
}

/** How wide our own picture in the corner is, as a share of the other's tile. */
const CORNER_SHARE = 0.34;

/**
 * The box that holds every rect (a phone's stage is as high as its tiles).
 * @param {Rect[]} rects @returns {Rect}
 */
export function bounds(rects) {
  if (!rects.length) return { x: 0, y: 0, width: 0, height: 0 };
  const x = Math.min(...rects.map((r) => r.x));
  const y = Math.min(...rects.map((r) => r.y));
  const right = Math.max(...rects.map((r) => r.x + r.width));
  const bottom = Math.max(...rects.map((r) => r.y + r.height));
  return { x, y, width: right - x, height: bottom - y };
}

/** @param {Rect} r */
function area(r) {
  return r.width * r.height;
}

/** @param {number} v @param {number} lo @param {number} hi */
function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
