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
