// @ts-check
/**
 * A public readout (contract A2): the page at /readouts/{id} that anyone with
 * the link reads without an account (the readout with every correction, the
 * comments its side's lead approved, a form to leave one), and the lead's
 * moderation list in the meeting view.
 *
 * A comment goes out only after the room client's human check (a proof of
 * work solved in a worker, humancheck.js; the challenge from
 * /api/public/challenge, which every server with dialogues hands out) and is held until the side's lead
 * approves it; the page says so plainly rather than pretending it is posted.
 * Everything shown comes as text or as the server's rendered html.
 */

import { solveChallenge } from '../humancheck.js';
import { t } from '../i18n.js';
import { del, get, post } from './api.js';
import { dateWords, when } from './facts.js';
import { act, button, el, failureText, serverHtml, statusLine, timeEl, uid } from './parts.js';

/**
 * @typedef {import('./facts.js').RevisionOut} RevisionOut
 * @typedef {import('./facts.js').DateOut} DateOut
 * @typedef {import('./facts.js').MeetingOut} MeetingOut
 * @typedef {import('./facts.js').Ctx} Ctx
 * @typedef {{id: string, name: string | null, text: string, html: string, at: string, state?: string}} CommentOut
 * @typedef {{id: string, dialogue: string, topic: string, side: string, date: DateOut,
 *            revisions: RevisionOut[], comments: CommentOut[]}} PublicOut
 */

/** The viewer's zone: the public page has no dialogue to take one from. */
const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The page /readouts/{id} as dialogue.html's router (app.js) calls it: the
 * readout in the page's <main>.
 * @param {string} readoutId
 */
export async function showPublic(readoutId) {
  const root = document.getElementById('main');
  if (!root) throw new Error('the page has no #main');
  await renderPublic(root, readoutId);
}

/**
 * Fill `parent` with the public readout `readoutId`.
 * @param {HTMLElement} parent @param {string} readoutId
 */
export async function renderPublic(parent, readoutId) {
  const loading = statusLine();
  loading.set('busy', t('public.loading'));
  parent.replaceChildren(loading.node);
  /** @type {PublicOut} */
  let readout;
  try {
    readout = await get(`/public/readouts/${encodeURIComponent(readoutId)}`);
  } catch (err) {
    const heading = el('h1', { tabindex: '-1' }, t('public.none_title'));
    parent.replaceChildren(el('div', { class: 'rd-public-page' }, heading,
      el('p', {}, t('public.none')),
      el('p', { class: 'hint' }, failureText(err))));
    return;
  }
  document.title = `${readout.side}: ${readout.topic} · Frankly`;
  const [current, ...earlier] = [...readout.revisions].sort((a, b) => b.number - a.number);
  const title = el('h1', { tabindex: '-1' }, t('public.title', { side: readout.side, topic: readout.topic }));
  const page = el('div', { class: 'rd-public-page', 'data-testid': 'public-readout' },
    el('p', { class: 'rd-kicker' }, readout.dialogue), title,
    el('p', { class: 'rd-meta' }, dateWords(readout.date, zone())),
    el('p', { class: 'hint' }, t('public.published_by', { side: readout.side })));
  if (current) {
    page.append(el('article', { class: 'rd-readout' },
      el('p', { class: 'rd-meta' }, `${t(earlier.length ? 'public.corrected' : 'public.revision', { number: current.number })} `,
        timeEl(current.at, when(current.at, zone()))),
      serverHtml(current.html)));
  }
  if (earlier.length) {
    const list = el('ol', { class: 'rd-history', reversed: true });
    for (const r of earlier) {
      list.append(el('li', {}, el('p', { class: 'rd-meta' }, `${t('public.revision', { number: r.number })} `, timeEl(r.at, when(r.at, zone())), `, ${t('public.since_corrected')}`), serverHtml(r.html)));
    }
    page.append(el('details', { class: 'rd-corrections' }, el('summary', {}, t('readouts.corrections', { count: earlier.length })), list));
  }
  page.append(commentList(readout.comments), commentForm(readout));
  parent.replaceChildren(page);
  title.focus({ preventScroll: true });
}

/** The approved comments, oldest first. @param {CommentOut[]} comments */
function commentList(comments) {
  const heading = uid('comments');
  const box = el('section', { class: 'rd-comments', 'aria-labelledby': heading, 'data-testid': 'comments' },
    el('h2', { id: heading }, t('public.comments', { count: comments.length })));
  if (!comments.length) {
    box.append(el('p', { class: 'hint' }, t('public.no_comments')));
    return box;
  }
  const list = el('ol', { class: 'rd-comment-list' });
  for (const c of comments) list.append(commentItem(c));
  box.append(list);
  return box;
}

/** @param {CommentOut} c @param {...Node} extra */
function commentItem(c, ...extra) {
  return el('li', { class: 'rd-comment', 'data-comment': c.id },
    el('p', { class: 'rd-meta' }, el('strong', {}, c.name || t('public.anonymous')), ', ', timeEl(c.at, when(c.at, zone()))),
    serverHtml(c.html), ...extra);
}

/**
 * Name (optional), text, and Send: the human check first, then the comment,
 * which the server holds for the side's lead.
 * @param {PublicOut} readout
 */
function commentForm(readout) {
  const heading = uid('comment-form');
  const nameId = uid('comment-name');
  const textId = uid('comment-text');
  const name = /** @type {HTMLInputElement} */ (el('input', { id: nameId, type: 'text', maxlength: '100', autocomplete: 'name' }));
  const text = /** @type {HTMLTextAreaElement} */ (el('textarea', { id: textId, rows: '5', required: true, maxlength: '4000', 'aria-describedby': `${textId}-hint` }));
  const send = /** @type {HTMLButtonElement} */ (el('button', { type: 'submit', class: 'btn btn-primary' }, t('public.send')));
  const status = statusLine();
  const form = el('form', { class: 'rd-comment-form', 'aria-labelledby': heading, 'data-testid': 'comment-form', novalidate: true },
    el('h2', { id: heading }, t('public.leave')),
    el('div', { class: 'field' }, el('label', { for: nameId }, t('public.name')), name),
    el('div', { class: 'field' }, el('label', { for: textId }, t('public.comment')), text,
      el('p', { id: `${textId}-hint`, class: 'hint' }, t('public.comment_hint', { side: readout.side }))),
    el('div', { class: 'rd-row' }, send, status.node));
  // What this reader sent, until the lead approves it: as plain text, this page only.
  const held = el('ol', { class: 'rd-comment-list', 'aria-label': t('public.held_list'), 'data-testid': 'held' });
  form.append(held);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      text.setAttribute('aria-invalid', 'true');
      status.set('refused', t('public.write_first'));
      text.focus();
      return;
    }
    text.removeAttribute('aria-invalid');
    send.disabled = true;
    try {
      status.set('busy', t('public.checking'));
      // Comments always take the check, whether or not the server asks it of rooms.
      const proof = await solveChallenge(await get('/public/challenge'));
      status.set('busy', t('public.sending'));
      const body = { text: text.value, proof, ...(name.value.trim() ? { name: name.value.trim() } : {}) };
      await post(`/public/readouts/${encodeURIComponent(readout.id)}/comments`, body);
      held.append(el('li', { class: 'rd-comment', 'data-state': 'held' },
        el('p', { class: 'rd-meta' }, el('span', { class: 'rd-badge', 'data-state': 'held' }, t('public.held_badge')), ` ${body.name ?? t('public.anonymous')}`),
        el('p', { class: 'rd-held-text' }, body.text)));
      text.value = '';
      status.set('done', t('public.thanks', { side: readout.side }));
    } catch (err) {
      status.set('refused', t('public.not_sent', { why: failureText(err) }));
    } finally {
      send.disabled = false;
    }
  });
  return form;
}

/**
 * The comments on the viewer's side's public readout, for its members; its
 * lead approves (they show on the public page) or rejects (deleted).
 * @param {HTMLElement} parent @param {MeetingOut} meeting @param {string} side @param {Ctx} ctx
 */
export function renderModeration(parent, meeting, side, ctx) {
  const heading = uid('moderation');
  const title = el('h4', { id: heading }, t('public.from_readers'));
  const box = el('section', { class: 'rd-moderation-list', 'aria-labelledby': heading, 'data-testid': 'moderation' }, title);
  const status = statusLine();
  box.append(status.node);
  parent.replaceChildren(box);
  const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/readouts/${side}/comments`;
  /** @param {CommentOut[]} comments @param {string} said */
  const show = (comments, said) => {
    const waiting = comments.filter((c) => c.state === 'held').length;
    title.textContent = waiting ? t('public.from_readers_waiting', { count: waiting }) : t('public.from_readers');
    if (said) status.set('done', said);
    else status.set('idle', comments.length ? '' : t('public.no_comments'));
    box.querySelector('ol')?.remove();
    if (!comments.length) return;
    const list = el('ol', { class: 'rd-comment-list' });
    for (const c of comments) list.append(moderated(c, path, ctx, status, load));
    box.append(list);
  };
  const load = async (said = '') => {
    try {
      /** @type {CommentOut[]} */
      const comments = await get(path);
      lastComments.set(path, comments);
      show(comments, said);
    } catch (err) {
      status.set('refused', failureText(err));
    }
  };
  // What was read last, at once (the section re-renders on every change), then the news.
  const cached = lastComments.get(path);
  if (cached) show(cached, '');
  else status.set('busy', t('public.loading_comments'));
  load();
}

/** The moderation list as last read, by path. */
const lastComments = /** @type {Map<string, CommentOut[]>} */ (new Map());

/**
 * @param {CommentOut} c @param {string} path @param {Ctx} ctx
 * @param {ReturnType<typeof statusLine>} status @param {(said: string) => Promise<void>} reload
 */
function moderated(c, path, ctx, status, reload) {
  const held = c.state === 'held';
  const state = el('span', { class: 'rd-badge', 'data-state': held ? 'draft' : 'published' }, held ? t('public.held') : t('public.approved'));
  if (!ctx.you.lead || !held) return commentItem(c, state);
  const approve = button(t('public.approve'), 'btn-primary');
  const reject = button(t('public.reject'), 'btn-danger');
  const by = c.name || t('public.anonymous');
  approve.setAttribute('aria-label', t('public.approve_long', { name: by }));
  reject.setAttribute('aria-label', t('public.reject_long', { name: by }));
  approve.addEventListener('click', async () => {
    const done = await act(approve, status, { doing: t('public.approving'), done: '' }, () => post(`${path}/${c.id}/approve`));
    if (done !== undefined) await reload(t('public.approved_done'));
  });
  reject.addEventListener('click', async () => {
    // DELETE answers 204, no body: act resolves to null, which is not a refusal.
    const done = await act(reject, status, { doing: t('public.rejecting'), done: '' }, () => del(`${path}/${c.id}`));
    if (done !== undefined) await reload(t('public.rejected_done'));
  });
  return commentItem(c, state, el('div', { class: 'rd-row' }, approve, reject));
}
