// @ts-check
/**
 * The meeting screen's side panel and its menus: which of the side's two
 * parts show (people, with the room's and one's own settings; chat), and
 * menus (<details class="menu">) moved or flipped so they open inside the
 * window. `nextPanels` and `menuShift` are pure; the Node tests import them.
 *
 * On a wide screen both parts may show at once, as they always did; on a
 * narrower one (a 1024x600 laptop, a phone) one part at a time, so the chat
 * is not pushed below the fold by the host's settings. Both may be closed:
 * the video takes the whole width (people knocking still show).
 */

/**
 * @typedef {'people' | 'chat'} Panel
 * @typedef {{people: boolean, chat: boolean}} Panels which parts show
 * @typedef {{left: number, top: number, right: number, bottom: number}} Box
 */

/** Both parts fit side by side from this width on (px, CSS). */
export const BOTH_FROM = 1200;

/** The gap a menu keeps from the window's edges (px). */
const EDGE = 8;

/**
 * The parts that show after pressing `which`'s button.
 * @param {Panels} now
 * @param {Panel} which
 * @param {boolean} wide both may show at once
 * @returns {Panels}
 */
export function nextPanels(now, which, wide) {
  const on = !now[which];
  if (wide) return { ...now, [which]: on };
  return { people: false, chat: false, [which]: on };
}

/**
 * What shows when the meeting starts, or when the window narrows or widens.
 * `before` is what showed before a narrowing closed a part by itself: widened
 * again, it comes back.
 * @param {Panels | null} now null at the start
 * @param {boolean} wide
 * @param {Panels | null} [before]
 * @returns {Panels}
 */
export function fitPanels(now, wide, before = null) {
  if (!now) return wide ? { people: true, chat: true } : { people: true, chat: false };
  if (!wide && now.people && now.chat) return { people: true, chat: false };
  if (wide && before) return before;
  return now;
}

/**
 * How to move an open menu's box into the window: flip it to the other side
 * of its button when it overflows top or bottom and the other side has more
 * room, then shift it sideways (px) so no edge is past the window's.
 * @param {Box} menu the menu's box as it opens
 * @param {Box} button its button's box
 * @param {{width: number, height: number}} view the window
 * @returns {{flip: 'up' | 'down' | null, dx: number}}
 */
export function menuShift(menu, button, view) {
  /** @type {'up' | 'down' | null} */
  let flip = null;
  const below = view.height - button.bottom;
  const above = button.top;
  if (menu.bottom > view.height - EDGE && menu.top >= button.bottom - 1 && above > below) flip = 'up';
  if (menu.top < EDGE && menu.bottom <= button.top + 1 && below > above) flip = 'down';
  let dx = 0;
  if (menu.right > view.width - EDGE) dx = view.width - EDGE - menu.right;
  if (menu.left + dx < EDGE) dx = EDGE - menu.left;
  return { flip, dx: Math.round(dx) };
}

/** @type {Panels | null} */
let panels = null;
/** What showed before the window narrowed and closed a part by itself (null: someone chose since). */
/** @type {Panels | null} */
let beforeNarrowing = null;
const wideQuery = () => window.matchMedia(`(min-width: ${BOTH_FROM}px)`);

/** Is this part of the side panel showing? @param {Panel} which */
export function panelShown(which) {
  return !!panels?.[which];
}

/** Draw `panels` onto the page: attributes the CSS reads, and the buttons' state. */
function drawPanels() {
  const body = document.querySelector('.meeting-body');
  if (!body || !panels) return;
  for (const which of /** @type {Panel[]} */ (['people', 'chat'])) {
    /** @type {HTMLElement} */ (body).dataset[which] = panels[which] ? 'on' : 'off';
    document.getElementById(`btn-${which}`)?.setAttribute('aria-pressed', String(panels[which]));
  }
}

/**
 * Show this part of the side panel (pressing its button when it is closed).
 * @param {Panel} which
 */
export function openPanel(which) {
  if (!panelShown(which)) togglePanel(which);
}

/** @param {Panel} which */
export function togglePanel(which) {
  beforeNarrowing = null;
  panels = nextPanels(fitPanels(panels, wideQuery().matches), which, wideQuery().matches);
  drawPanels();
  // Opened, it is in view: the side panel's other parts may have pushed it below the fold.
  if (panels[which]) document.querySelector(`.side > section.${which}`)?.scrollIntoView({ block: 'nearest' });
}

/**
 * Move an open menu's items inside the window (see menuShift).
 * @param {HTMLDetailsElement} menu
 */
function placeMenu(menu) {
  const items = /** @type {HTMLElement | null} */ (menu.querySelector(':scope > .menu-items'));
  const button = menu.querySelector(':scope > summary');
  if (!items || !button) return;
  delete items.dataset.flip;
  items.style.removeProperty('--menu-dx');
  if (getComputedStyle(items).position !== 'absolute') return; // opens in place, scrolls with its list
  const view = { width: document.documentElement.clientWidth, height: window.innerHeight };
  const first = menuShift(items.getBoundingClientRect(), button.getBoundingClientRect(), view);
  if (first.flip) items.dataset.flip = first.flip;
  // Flipped, it sits elsewhere: measure again for the sideways shift.
  const { dx } = first.flip ? menuShift(items.getBoundingClientRect(), button.getBoundingClientRect(), view) : first;
  if (dx) items.style.setProperty('--menu-dx', `${dx}px`);
}

/** Wire the panel buttons and the menus (once, at start). */
export function initPanels() {
  panels = fitPanels(null, wideQuery().matches);
  drawPanels();
  wideQuery().addEventListener('change', (ev) => {
    const was = panels;
    panels = fitPanels(panels, ev.matches, beforeNarrowing);
    beforeNarrowing = !ev.matches && was && (was.people !== panels.people || was.chat !== panels.chat) ? was : null;
    drawPanels();
  });
  for (const which of /** @type {Panel[]} */ (['people', 'chat'])) {
    document.getElementById(`btn-${which}`)?.addEventListener('click', () => togglePanel(which));
  }
  // `toggle` does not bubble: listen while it goes down to the menu.
  document.addEventListener(
    'toggle',
    (ev) => {
      const menu = ev.target;
      if (menu instanceof HTMLDetailsElement && menu.open && menu.classList.contains('menu')) placeMenu(menu);
    },
    true,
  );
  window.addEventListener('resize', () => {
    for (const menu of document.querySelectorAll('details.menu[open]')) placeMenu(/** @type {HTMLDetailsElement} */ (menu));
  });
}
