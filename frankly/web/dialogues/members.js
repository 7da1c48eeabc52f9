// @ts-check
/**
 * Who is in a dialogue, and the ways in: the sides with their zones, leads
 * and members (a lead removes a member or hands the lead on; a member may
 * leave); the side links to hand out (made, listed, revoked); and this
 * member's devices (add one through a one-use link, remove one). Buttons
 * appear only for what the server would allow, which decides all the same.
 */

import { t } from '../i18n.js';
import { del, get, post } from './api.js';
import { forget } from './known.js';
import { act, button, explain, h, linkBox, notOffered, statusLine, toast } from './page.js';
import { deviceLink, dialoguePath, joinLink } from './routes.js';
import { city, timeLine, untilText, viewerZone, wallClock } from './times.js';

/** @typedef {import('./history.js').DialogueOut} DialogueOut */
/** @typedef {import('./history.js').SideOut} SideOut */
/** @typedef {import('./history.js').MemberOut} MemberOut */
/**
 * A side's link: as just made (POST …/links: with its token, shown once) or
 * as listed later (GET …/links: when it was made and revoked, no token).
 * @typedef {{invite: string, side: string, lead: boolean, token?: string, created?: string, expires: string, revoked?: string | null}} LinkOut
 */


/** "14:05 now". @param {string} zone */
function nowIn(zone) {
  const w = wallClock(Date.now(), zone);
  return t('members.there_now', { time: `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}` });
}

/**
 * A button that asks again before it acts: the first press turns it into
 * "Confirm: …" beside "Cancel".
 * @param {string} text @param {string} confirmText @param {string} key
 * @param {ReturnType<typeof statusLine>} status @param {() => Promise<unknown>} work @param {string} done
 * @param {() => Promise<void>} after
 */
function confirmed(text, confirmText, key, status, work, done, after) {
  const first = button(text, { class: 'btn btn-small btn-quiet', 'data-key': key });
  const sure = button(confirmText, { class: 'btn btn-small btn-danger', 'data-key': `${key}-sure` });
  const cancel = button(t('members.cancel'), { class: 'btn btn-small' });
  sure.hidden = cancel.hidden = true;
  first.addEventListener('click', () => {
    first.hidden = true;
    sure.hidden = cancel.hidden = false;
    sure.focus();
  });
  cancel.addEventListener('click', () => {
    first.hidden = false;
    sure.hidden = cancel.hidden = true;
    first.focus();
  });
  sure.addEventListener('click', async () => {
    const ok = await act(sure, status, async () => (await work()) ?? true, { busy: t('members.working') });
    if (!ok) return;
    await after();
    toast(done); // once the page shows it
  });
  return h('span', { class: 'dlg-confirm' }, first, sure, cancel);
}

/**
 * A member's line: name, marks, and what you may do to them.
 * @param {DialogueOut} d @param {SideOut} side @param {MemberOut} m
 * @param {ReturnType<typeof statusLine>} status @param {() => Promise<void>} refresh
 */
function memberItem(d, side, m, status, refresh) {
  const marks = [];
  if (side.lead === m.id) marks.push(t('members.mark_lead'));
  if (d.convener === m.id) marks.push(t('members.mark_convener'));
  if (d.you.id === m.id) marks.push(t('members.mark_you'));
  const yourSideLead = side.lead === d.you.id;
  const base = dialoguePath(d.id);
  const actions = [];
  if (yourSideLead && m.id !== d.you.id) {
    actions.push(confirmed(t('members.remove'), t('members.remove_sure', { name: m.name }), `remove-${m.id}`, status,
      () => del(`${base}/members/${encodeURIComponent(m.id)}`), t('members.removed', { name: m.name }), refresh));
    actions.push(confirmed(t('members.make_lead'), t('members.make_lead_sure', { name: m.name }), `lead-${m.id}`, status,
      () => post(`${base}/sides/${encodeURIComponent(side.id)}/lead`, { member: m.id }), t('members.lead_handed', { name: m.name, side: side.name }), refresh));
  } else if (m.id === d.you.id && side.lead !== m.id) {
    actions.push(confirmed(t('members.leave'), t('members.leave_sure'), `leave-${m.id}`, status,
      () => del(`${base}/members/${encodeURIComponent(m.id)}`), t('members.left'), async () => {
        forget(d.id);
        location.assign('/dialogues');
      }));
  }
  return h('li', { class: 'dlg-member', 'data-testid': 'member' },
    h('span', { class: 'person-name' }, m.name),
    marks.map((mark) => h('span', { class: 'person-role' }, mark)),
    actions.length ? h('span', { class: 'dlg-member-actions' }, actions) : null);
}

/** The sides, their zones, leads and members. @param {HTMLElement} parent @param {DialogueOut} d @param {() => Promise<void>} refresh */
export function renderSides(parent, d, refresh) {
  const status = statusLine('members-status');
  const section = h('section', { class: 'dlg-card', 'aria-labelledby': 'sides-h', 'data-testid': 'sides' },
    h('h2', { id: 'sides-h' }, t('members.sides')));
  for (const side of d.sides) {
    const members = d.members.filter((m) => m.side === side.id);
    // Those removed (or who left) are named still: what they wrote stays theirs.
    const former = (d.former ?? []).filter((m) => m.side === side.id);
    section.append(h('div', { class: 'dlg-side', 'data-testid': 'side' },
      h('h3', {}, side.name),
      h('p', { class: 'hint' }, `${city(side.zone)} (${side.zone}), ${nowIn(side.zone)}`),
      side.lead ? null : h('p', { class: 'hint' }, t('members.no_lead')),
      h('ul', { class: 'dlg-members', 'aria-label': t('members.members_of', { side: side.name }) },
        members.map((m) => memberItem(d, side, m, status, refresh))),
      former.length ? h('p', { class: 'hint', 'data-testid': 'former' }, t('members.former', { names: former.map((m) => m.name).join(', ') })) : null));
  }
  section.append(status);
  parent.append(section);
}

/** Which sides you may make links to, and which kinds. @param {DialogueOut} d */
function invitable(d) {
  return d.sides
    .map((side) => ({
      side,
      lead: d.you.convener && !side.lead,
      member: d.you.convener || side.lead === d.you.id,
    }))
    .filter((s) => s.lead || s.member);
}

/**
 * A made link's row: kind, link box (while it is in this page), expiry, revoke.
 * @param {DialogueOut} d @param {LinkOut} link @param {HTMLElement} list
 * @param {ReturnType<typeof statusLine>} status
 */
function linkItem(d, link, list, status) {
  const zone = viewerZone();
  const side = d.sides.find((s) => s.id === link.side);
  const kind = t(link.lead ? 'members.lead_link_for' : 'members.member_link_for', { side: side?.name ?? '' });
  const expired = Date.parse(link.expires) <= Date.now();
  // A lead's link is good once, while its side has no lead: spent once it has one.
  const spent = link.lead && Boolean(side?.lead);
  const state = link.revoked
    ? t('members.revoked_at', { time: timeLine(link.revoked, zone, []) })
    : spent ? t('members.used', { side: side?.name ?? '' })
      : expired ? t('members.expired_at', { time: timeLine(link.expires, zone, []) })
        : t('members.expires_at', { time: timeLine(link.expires, zone, []), left: untilText(link.expires, Date.now()) });
  const item = h('li', { class: 'dlg-link-item', 'data-testid': link.lead ? 'lead-link' : 'member-link', 'data-side': link.side, 'data-invite': link.invite },
    h('p', { class: 'dlg-link-kind' }, h('strong', {}, kind)),
    link.created ? h('p', { class: 'hint' }, t('members.made_at', { time: timeLine(link.created, zone, []) })) : null,
    link.token ? linkBox(kind, joinLink(location.origin, link.token), 'link-url') : null,
    h('p', { class: 'hint', 'data-testid': 'link-expiry' }, state));
  if (!link.revoked && !expired && !spent) {
    const revoke = button(t('members.revoke'), { class: 'btn btn-small btn-quiet', 'data-key': `revoke-${link.invite}` });
    revoke.addEventListener('click', async () => {
      const done = await act(revoke, status, () => del(`${dialoguePath(d.id)}/sides/${encodeURIComponent(link.side)}/links/${encodeURIComponent(link.invite)}`), { busy: t('members.revoking'), done: t('members.revoked') });
      if (done === undefined) return;
      item.replaceWith(linkItem(d, { ...link, token: undefined, revoked: new Date().toISOString() }, list, status));
    });
    item.append(revoke);
  }
  return item;
}

/**
 * The links made since this page was loaded: the server shows a token once,
 * so they stay on screen when the page is drawn again (after an action).
 * @type {LinkOut[]}
 */
const madeHere = [];

/** @param {DialogueOut} d @param {string} side @param {boolean} lead */
const makeLink = (d, side, lead) => post(`${dialoguePath(d.id)}/sides/${encodeURIComponent(side)}/links`, { lead });

/**
 * The links to hand out. Right after founding (`fresh`), a lead link for
 * every side that has no lead is made at once. A made link's token is in
 * this page only: the API never answers it again.
 * @param {HTMLElement} parent @param {DialogueOut} d @param {{fresh: boolean}} options
 */
export function renderInvites(parent, d, options) {
  const sides = invitable(d);
  if (!sides.length) return;
  const status = statusLine('links-status');
  const made = h('ul', { class: 'dlg-links', 'aria-label': t('members.links_now'), 'data-testid': 'made-links' });
  const earlier = h('ul', { class: 'dlg-links', 'aria-label': t('members.links_before'), 'aria-busy': 'true' }, h('li', { class: 'hint' }, t('dlg.loading')));
  const section = h('section', { class: 'dlg-card', 'aria-labelledby': 'links-h', 'data-testid': 'invites' },
    h('h2', { id: 'links-h' }, t('members.invite')),
    h('p', { class: 'hint' }, t('members.invite_hint')));
  /** @param {LinkOut} link */
  const show = (link) => {
    madeHere.push(link);
    // The page may have been drawn again while the link was being made.
    const list = /** @type {HTMLElement} */ (document.querySelector('[data-testid="made-links"]') ?? made);
    list.prepend(linkItem(d, link, list, status));
    // Shown once, above, with its token: not again among the earlier ones.
    earlier.querySelector(`[data-invite="${CSS.escape(link.invite)}"]`)?.remove();
  };
  for (const link of madeHere.filter((l) => d.sides.some((s) => s.id === l.side))) made.prepend(linkItem(d, link, made, status));
  for (const { side, lead, member } of sides) {
    const row = h('div', { class: 'dlg-link-buttons' }, h('span', { class: 'dlg-link-side' }, side.name));
    /** @param {boolean} asLead */
    const add = (asLead) => {
      const b = button(asLead ? t('members.make_lead_link') : t('members.make_member_link'), { class: 'btn btn-small', 'data-key': `link-${side.id}-${asLead}` });
      b.addEventListener('click', async () => {
        const link = await act(b, status, () => makeLink(d, side.id, asLead), { busy: t('members.making_link'), done: t('members.link_made') });
        if (link) show(link);
      });
      row.append(b);
    };
    if (lead) add(true);
    if (member) add(false);
    section.append(row);
  }
  section.append(status, made, h('h3', {}, t('members.links_before')), earlier);
  parent.append(section);
  if (options.fresh && !madeHere.length) {
    void (async () => {
      for (const { side, lead } of sides) {
        if (!lead) continue;
        try {
          show(await makeLink(d, side.id, true));
        } catch (error) {
          status.say(explain(error), 'error');
        }
      }
    })();
  }
  void listLinks(d, sides.map((s) => s.side), earlier, status);
}

/** @param {DialogueOut} d @param {SideOut[]} sides @param {HTMLElement} list @param {ReturnType<typeof statusLine>} status */
async function listLinks(d, sides, list, status) {
  /** @type {HTMLElement[]} */
  const items = [];
  try {
    for (const side of sides) {
      const links = /** @type {LinkOut[]} */ (await get(`${dialoguePath(d.id)}/sides/${encodeURIComponent(side.id)}/links`));
      const shown = new Set(madeHere.map((l) => l.invite)); // above, with their tokens
      for (const link of links) if (!shown.has(link.invite)) items.push(linkItem(d, link, list, status));
    }
    list.replaceChildren(...(items.length ? items : [h('li', { class: 'hint' }, t('members.none_yet'))]));
  } catch (error) {
    list.replaceChildren(h('li', { class: 'hint' }, notOffered(error) ? t('members.no_link_list') : explain(error)));
  } finally {
    list.removeAttribute('aria-busy');
  }
}

/** @typedef {{id: string, device: string | null, created: string, current: boolean}} DeviceOut */

/**
 * This member's devices: add one (a one-use link to open on it within ten
 * minutes), see them, remove one.
 * @param {HTMLElement} parent @param {DialogueOut} d
 */
export function renderDevices(parent, d) {
  const status = statusLine('devices-status');
  const add = button(t('members.add_device'), { class: 'btn btn-small', 'data-testid': 'add-device', 'data-key': 'add-device' });
  const offer = h('div', { class: 'dlg-device-offer', 'aria-live': 'polite' });
  const list = h('ul', { class: 'dlg-devices', 'aria-label': t('members.devices'), 'aria-busy': 'true' }, h('li', { class: 'hint' }, t('dlg.loading')));
  const section = h('section', { class: 'dlg-card', 'aria-labelledby': 'devices-h', 'data-testid': 'devices' },
    h('h2', { id: 'devices-h' }, t('members.devices')),
    h('p', { class: 'hint' }, t('members.devices_hint')),
    add, offer, status, list);
  add.addEventListener('click', async () => {
    const made = await act(add, status, () => post(`${dialoguePath(d.id)}/devices`), { busy: t('members.making_device_link') });
    if (!made) return;
    const url = deviceLink(location.origin, d.id, made.token);
    // The time is set in bold where the language puts it: the words either side of {until}.
    const [before, after = ''] = t('members.device_offer').split('{until}');
    offer.replaceChildren(
      h('p', {}, before, h('strong', {}, untilText(made.expires, Date.now())), after),
      linkBox(t('members.device_link'), url, 'device-link'));
  });
  parent.append(section);
  void listDevices(d, list, status);
}

/** @param {DialogueOut} d @param {HTMLElement} list @param {ReturnType<typeof statusLine>} status */
async function listDevices(d, list, status) {
  let devices;
  try {
    devices = /** @type {DeviceOut[]} */ (await get(`${dialoguePath(d.id)}/devices`));
  } catch (error) {
    list.replaceChildren(h('li', { class: 'hint' }, notOffered(error) ? t('members.no_device_list') : explain(error)));
    return;
  } finally {
    list.removeAttribute('aria-busy');
  }
  const zone = viewerZone();
  const again = () => listDevices(d, list, status);
  list.replaceChildren(...devices.map((dev) => {
    // Named as the member named it on that device; this one is "this browser".
    const name = dev.current ? (dev.device ? t('members.this_one', { device: dev.device }) : t('members.this_browser')) : (dev.device || t('members.no_name'));
    const remove = dev.current
      ? confirmed(t('members.sign_out_here'), t('members.sign_out_this'), `device-${dev.id}`, status,
        () => del(`${dialoguePath(d.id)}/devices/${encodeURIComponent(dev.id)}`), t('members.signed_out_here'), async () => {
          forget(d.id);
          location.assign('/dialogues');
        })
      : confirmed(t('members.remove'), t('members.sign_out', { device: dev.device || t('members.that_browser') }), `device-${dev.id}`, status,
        () => del(`${dialoguePath(d.id)}/devices/${encodeURIComponent(dev.id)}`), t('members.signed_out', { name }), again);
    return h('li', { class: 'dlg-device' },
      h('span', {}, name, h('span', { class: 'hint' }, ` · ${t('members.added_at', { time: timeLine(dev.created, zone, []) })}`)), ' ', remove);
  }));
}
