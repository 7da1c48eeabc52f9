// @ts-check
/**
 * A meeting's readouts: every side's published readout side by side (with
 * the corrections each one went through), and, for the viewer's own side,
 * the draft that its members write together and its lead publishes.
 *
 * A save names the revision it was edited from; when someone else saved in
 * between, the server refuses it with stale-revision and the newer text, and
 * the editor shows that text beside the member's own so that nothing is lost
 * and they merge and save again. Text not yet saved survives the page
 * re-rendering the section (ctx.refresh), kept here by meeting and side;
 * so does a save under way: its answer is said by the editor on screen when
 * it comes, which a re-render may have made since the save began.
 */

import { t } from '../i18n.js';
import { get, post, put, ApiFailure } from './api.js';
import { baseOf, memberName, publishable, publishedHistory, sideName, when } from './facts.js';
import { Notes, act, button, el, failureText, serverHtml, statusLine, timeEl, uid } from './parts.js';
import { renderModeration } from './public.js';

/**
 * @typedef {import('./facts.js').MeetingOut} MeetingOut
 * @typedef {import('./facts.js').Ctx} Ctx
 * @typedef {import('./facts.js').RevisionOut} RevisionOut
 * @typedef {import('./facts.js').ReadoutOut} ReadoutOut
 * @typedef {{text: string, base: number, theirs: {number: number, text: string} | null}} Unsaved
 */

/** Text typed but not saved, by `${meeting}/${side}`: a re-render must not lose it. */
const unsaved = /** @type {Map<string, Unsaved>} */ (new Map());
/** What the last change said, by meeting, shown again after the re-render it caused. */
const notes = new Notes();
/** The draft's revisions as last read, by path: a re-render shows them at once, then checks. */
const lastDraft = /** @type {Map<string, RevisionOut[]>} */ (new Map());
/** Drafts being saved, by `${meeting}/${side}`: an editor made meanwhile says it is still saving. */
const saving = /** @type {Set<string>} */ (new Set());
/**
 * How the last save ended, by `${meeting}/${side}`: every editor made again
 * says it (a re-render must not take the answer away as it lands), until the
 * member types or saves again.
 * @type {Map<string, {state: 'done' | 'refused', text: string}>}
 */
const outcomes = new Map();
/** Each draft's latest reader, by path: a save's answer is shown by the editor on screen. */
const readers = /** @type {Map<string, (said?: string) => Promise<void>>} */ (new Map());
/** The Save button and status line of the editor last made, by `${meeting}/${side}`. */
const onScreen = /** @type {Map<string, {save: HTMLButtonElement, status: ReturnType<typeof statusLine>}>} */ (new Map());
/** Where the caret was in a draft whose section re-rendered while it was being typed in. */
const carets = /** @type {Map<string, {start: number, end: number}>} */ (new Map());

/**
 * Fill `parent` with the meeting's readouts.
 * @param {HTMLElement} parent @param {MeetingOut} meeting @param {Ctx} ctx
 */
export function renderReadouts(parent, meeting, ctx) {
  keepCaret();
  const heading = uid('readouts');
  const section = el('section', { class: 'rd-readouts', 'aria-labelledby': heading, 'data-testid': 'readouts' },
    el('h2', { id: heading }, t('readouts.title')),
    el('p', { class: 'hint' }, t('readouts.hint')));
  const note = notes.take(meeting.id);
  section.append(note.node, publishedColumns(meeting, ctx));
  if (meeting.sides.includes(ctx.you.side)) section.append(draftEditor(meeting, ctx));
  else section.append(el('p', { class: 'hint' }, t('readouts.not_invited')));
  parent.replaceChildren(section);
}

/**
 * Remember where the caret is in a draft being typed in, so that the draft
 * made again puts the focus and the caret back. The meeting page calls it
 * before it clears the screen to draw it again (by then the draft would be
 * out of the page, and the focus on its body); a re-render of this section
 * alone calls it here.
 */
export function keepCaret() {
  const typing = document.activeElement;
  if (typing instanceof HTMLTextAreaElement && typing.dataset.testid === 'draft-text' && typing.dataset.meeting) {
    carets.set(typing.dataset.meeting, { start: typing.selectionStart, end: typing.selectionEnd });
  }
}

/** The published readouts, one column per side (stacked at phone width). */
function publishedColumns(/** @type {MeetingOut} */ meeting, /** @type {Ctx} */ ctx) {
  const columns = el('div', { class: 'rd-columns', 'data-testid': 'published' });
  for (const side of meeting.sides) {
    const readout = (meeting.readouts ?? []).find((r) => r.side === side);
    columns.append(publishedColumn(meeting, side, readout, ctx));
  }
  return columns;
}

/**
 * @param {MeetingOut} meeting @param {string} side @param {ReadoutOut | undefined} readout @param {Ctx} ctx
 */
function publishedColumn(meeting, side, readout, ctx) {
  const heading = uid('published');
  const name = sideName(ctx.dialogue, side);
  const column = el('article', { class: 'rd-readout', 'aria-labelledby': heading, 'data-side': side },
    el('h3', { id: heading }, name));
  const history = publishedHistory(readout);
  if (!readout || !history.length) {
    column.append(el('p', { class: 'hint' }, t('readouts.not_published', { side: name })));
    return column;
  }
  const [current, ...earlier] = history;
  column.append(revisionMeta(current, ctx, earlier.length ? 'corrected' : 'published'), serverHtml(current.html));
  if (earlier.length) column.append(correctionHistory(earlier, ctx));
  const link = publicLink(readout);
  if (link) column.append(link);
  if (side === ctx.you.side) {
    if (ctx.you.lead) column.append(publicToggle(meeting, side, readout, ctx));
    if (readout.public) {
      const moderation = el('div', { class: 'rd-moderation' });
      renderModeration(moderation, meeting, side, ctx);
      column.append(moderation);
    }
  }
  return column;
}

/** The badge's words by its state (the state itself is the style's hook, data-state). */
const STATE_WORDS = { corrected: 'readouts.state_corrected', published: 'readouts.state_published', superseded: 'readouts.state_superseded' };

/**
 * "Published Revision 2 by Ann, written Tue 16 Mar 2027, 18:00": the badge, who and when.
 * @param {RevisionOut} r @param {Ctx} ctx @param {keyof typeof STATE_WORDS} state
 */
function revisionMeta(r, ctx, state) {
  return el('p', { class: 'rd-meta' },
    el('span', { class: 'rd-badge', 'data-state': state }, t(STATE_WORDS[state])), ' ',
    `${t('readouts.revision_by', { number: r.number, name: memberName(ctx.dialogue, r.author) })} `, timeEl(r.at, when(r.at, ctx.zone)));
}

/** Every earlier published revision, each corrected by the one above it. */
function correctionHistory(/** @type {RevisionOut[]} */ earlier, /** @type {Ctx} */ ctx) {
  const list = el('ol', { class: 'rd-history', reversed: true });
  for (const r of earlier) list.append(el('li', {}, revisionMeta(r, ctx, 'superseded'), serverHtml(r.html)));
  return el('details', { class: 'rd-corrections' }, el('summary', {}, t('readouts.corrections', { count: earlier.length })), list);
}

/** The public page's address, when the side made its readout public (contract A2). */
function publicLink(/** @type {ReadoutOut} */ readout) {
  if (!readout.public || !readout.url) return null;
  const href = new URL(readout.url, location.origin).href;
  // The link goes where the language puts it: the words either side of {link}.
  const [before, after = ''] = t('readouts.public_at').split('{link}');
  return el('p', { class: 'rd-public', 'data-testid': 'public-link' }, before, el('a', { href }, href), after);
}

/**
 * The lead's switch: anyone with the link may then read the readout (and comment).
 * @param {MeetingOut} meeting @param {string} side @param {ReadoutOut} readout @param {Ctx} ctx
 */
function publicToggle(meeting, side, readout, ctx) {
  const status = statusLine();
  const makePublic = !readout.public;
  const toggle = button(makePublic ? t('readouts.make_public') : t('readouts.stop_public'));
  const words = makePublic
    ? { doing: t('readouts.making_public'), done: t('readouts.made_public') }
    : { doing: t('readouts.stopping_public'), done: t('readouts.stopped_public') };
  toggle.addEventListener('click', async () => {
    const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/readouts/${side}/public`;
    const answer = await act(toggle, status, words, () => put(path, { public: makePublic }));
    if (answer === undefined) return;
    notes.leave(meeting.id, words.done);
    await ctx.refresh();
  });
  const hint = makePublic ? t('readouts.public_hint') : t('readouts.public_now_hint');
  return el('div', { class: 'rd-row' }, toggle, el('span', { class: 'hint' }, hint), status.node);
}

/**
 * The viewer's side's draft: editor, preview of the last save, revisions, and
 * for the lead, publishing.
 * @param {MeetingOut} meeting @param {Ctx} ctx
 */
function draftEditor(meeting, ctx) {
  const side = ctx.you.side;
  const heading = uid('draft');
  const box = el('section', { class: 'rd-draft', 'aria-labelledby': heading, 'data-testid': 'draft' },
    el('h3', { id: heading }, t('readouts.draft_title', { side: sideName(ctx.dialogue, side) })),
    el('p', { class: 'hint' }, t('readouts.draft_hint', { side: sideName(ctx.dialogue, side) })));
  const path = `/dialogues/${ctx.dialogue.id}/meetings/${meeting.id}/readouts/${side}/draft`;
  const loading = statusLine();
  box.append(loading.node);
  /** The revisions on screen, and which read of them is the latest asked for. */
  let shown = lastDraft.get(path);
  let ticket = 0;
  /** Put `next` in the one place an editor goes, keeping the caret of one being typed in. */
  const place = (/** @type {HTMLElement} */ next) => {
    const current = box.querySelector(':scope > .rd-editor');
    const typing = document.activeElement;
    if (current && typing instanceof HTMLTextAreaElement && typing.dataset.testid === 'draft-text' && current.contains(typing)) {
      carets.set(meeting.id, { start: typing.selectionStart, end: typing.selectionEnd });
    }
    if (current) current.replaceWith(next);
    else loading.node.replaceWith(next);
  };
  /** Read the draft again and show it; a read answered after a later one is dropped. */
  const reload = async (said = '') => {
    const mine = ++ticket;
    /** @type {{revisions: RevisionOut[]}} */
    const draft = await get(path);
    lastDraft.set(path, draft.revisions);
    if (mine !== ticket) return;
    if (!said && shown && JSON.stringify(shown) === JSON.stringify(draft.revisions)) return;
    shown = draft.revisions;
    place(editorBody(meeting, ctx, path, draft.revisions, reload, said));
  };
  readers.set(path, reload);
  // What was read last, at once (the section re-renders on every change), then the news.
  if (shown) place(editorBody(meeting, ctx, path, shown, reload));
  else loading.set('busy', t('readouts.loading_draft'));
  reload().catch((err) => {
    if (!box.querySelector(':scope > .rd-editor')) loading.set('refused', failureText(err));
  });
  return box;
}

/**
 * @param {MeetingOut} meeting @param {Ctx} ctx @param {string} path @param {RevisionOut[]} revisions
 * @param {(said?: string) => Promise<void>} reload reads the draft again and shows it
 * @returns {HTMLElement}
 */
function editorBody(meeting, ctx, path, revisions, reload, said = '') {
  const key = `${meeting.id}/${ctx.you.side}`;
  const latest = revisions.find((r) => r.number === baseOf(revisions));
  const kept = unsaved.get(key);
  const state = { base: kept?.base ?? baseOf(revisions), theirs: kept?.theirs ?? null };
  const body = el('div', { class: 'rd-editor' });

  const textId = uid('draft-text');
  const text = /** @type {HTMLTextAreaElement} */ (el('textarea', {
    id: textId, rows: '12', spellcheck: 'true', 'data-testid': 'draft-text', 'data-meeting': meeting.id,
    'aria-describedby': `${textId}-hint`,
  }));
  text.value = kept?.text ?? latest?.text ?? '';
  const status = statusLine();
  status.node.dataset.role = 'save-status';
  const save = button(t('readouts.save'), 'btn-primary');
  save.setAttribute('aria-keyshortcuts', 'Control+S');
  // Made again while a save is under way (a re-render): it says so until the answer.
  if (saving.has(key)) {
    save.disabled = true;
    status.set('busy', t('readouts.saving'));
  }
  onScreen.set(key, { save, status });
  const outcome = saving.has(key) ? undefined : outcomes.get(key);
  const remember = () => {
    const saved = latest?.text ?? '';
    if (text.value === saved && !state.theirs) unsaved.delete(key);
    else unsaved.set(key, { text: text.value, base: state.base, theirs: state.theirs });
  };
  text.addEventListener('input', () => {
    const wasDirty = unsaved.has(key);
    outcomes.delete(key);
    remember();
    if (!wasDirty && unsaved.has(key)) status.set('idle', t('readouts.not_saved_yet'));
    publishButton?.update();
  });

  // On a stale save: the newer text beside the member's own (in the preview's place).
  const conflict = el('p', { class: 'notice notice-warn', role: 'alert', hidden: true });
  const merge = el('div', { class: 'rd-merge', 'data-testid': 'merge', hidden: true });
  const hint = el('p', { id: `${textId}-hint`, class: 'hint' });
  const sayBase = () => (hint.textContent = state.theirs ? t('readouts.merging_into', { number: state.base })
    : state.base ? t('readouts.edited_from', { number: state.base }) : t('readouts.no_revision'));
  const showPreview = () => {
    conflict.hidden = true;
    merge.hidden = true;
    preview.hidden = false;
    sayBase();
  };
  const showTheirs = (/** @type {{number: number, text: string}} */ theirs) => {
    state.theirs = theirs;
    state.base = theirs.number;
    conflict.textContent = conflictWords(theirs, revisions, ctx);
    merge.replaceChildren(...theirsPane(theirs, () => {
      text.value = theirs.text;
      state.theirs = null;
      showPreview();
      remember();
      status.set('idle', t('readouts.replaced'));
      text.focus();
    }));
    conflict.hidden = false;
    merge.hidden = false;
    preview.hidden = true;
    sayBase();
  };

  const doSave = async () => {
    // The server trims what it stores; the same text again would make an empty revision.
    if (!state.theirs && latest && text.value.trim() === latest.text) {
      status.set('idle', t('readouts.nothing_to_save', { number: latest.number }));
      return;
    }
    save.disabled = true;
    status.set('busy', t('readouts.saving'));
    saving.add(key);
    outcomes.delete(key);
    /** @type {RevisionOut} */
    let made;
    try {
      made = await put(path, { base: state.base, text: text.value });
    } catch (err) {
      saving.delete(key);
      await refused(err);
      return;
    }
    saving.delete(key);
    unsaved.delete(key);
    const said = t('readouts.saved', { number: made.number });
    outcomes.set(key, { state: 'done', text: said });
    // The editor on screen now reads the draft again and says it: this one, or the one
    // a re-render made while the save was under way.
    const current = readers.get(path) ?? reload;
    await current(said).catch(() => {
      const shown = onScreen.get(key) ?? { save, status };
      shown.save.disabled = false;
      shown.status.set('done', `${said} ${t('readouts.reload_for_list')}`);
    });
  };
  /** A refused save: shown here, or, when a re-render replaced this editor, by the new one. */
  const refused = async (/** @type {unknown} */ err) => {
    const stale = err instanceof ApiFailure && err.code === 'stale-revision';
    const theirs = stale ? { number: Number(err.detail.number), text: String(err.detail.text ?? '') } : null;
    const why = theirs ? t('readouts.stale', { number: theirs.number }) : t('readouts.not_saved', { why: failureText(err) });
    outcomes.set(key, { state: 'refused', text: why });
    if (!body.isConnected) {
      const typed = unsaved.get(key) ?? { text: text.value, base: state.base, theirs: null };
      if (theirs) unsaved.set(key, { ...typed, base: theirs.number, theirs });
      const current = readers.get(path);
      if (current) await current(why).catch(() => {});
      return;
    }
    save.disabled = false;
    if (theirs) {
      // Who saved it and when: the revision list knows, once read again.
      try {
        revisions = (/** @type {{revisions: RevisionOut[]}} */ (await get(path))).revisions;
        list.replaceWith((list = revisionList(revisions, ctx, restore)));
      } catch {
        /* the merge view works without the author's name */
      }
      showTheirs(theirs);
      remember();
      status.set('refused', why);
      save.textContent = t('readouts.save_merged');
      text.focus();
    } else {
      status.set('refused', why);
    }
  };
  save.addEventListener('click', doSave);
  text.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      if (!save.disabled) doSave();
    }
  });

  /** Save an older revision's text again as the newest, so that it can be published. */
  const restore = async (/** @type {RevisionOut} */ r, /** @type {HTMLButtonElement} */ trigger) => {
    outcomes.delete(key);
    const answer = await act(trigger, status, { doing: t('readouts.restoring', { number: r.number }), done: '' },
      () => put(path, { base: baseOf(revisions), text: r.text }));
    if (answer !== undefined) {
      unsaved.delete(key);
      const said = t('readouts.restored', { number: r.number, made: answer.number });
      outcomes.set(key, { state: 'done', text: said });
      // As for a save: said by the editor on screen, should a re-render have replaced this one.
      const current = readers.get(path) ?? reload;
      await current(said).catch(() => (onScreen.get(key)?.status ?? status).set('done', said));
    }
  };

  let list = revisionList(revisions, ctx, restore);
  const publishButton = ctx.you.lead ? publisher(meeting, ctx, path, revisions, () => unsaved.has(key)) : null;
  const preview = previewPane(latest);
  body.append(conflict,
    el('div', { class: 'rd-editor-grid' },
      el('div', { class: 'rd-write' },
        el('label', { for: textId }, t('readouts.draft_label')), hint, text,
        el('div', { class: 'rd-row' }, save, status.node)),
      preview, merge),
    publishButton?.node ?? whoPublishes(ctx), list);
  if (state.theirs) {
    showTheirs(state.theirs);
    save.textContent = t('readouts.save_merged');
  } else {
    sayBase();
  }
  const caret = carets.get(meeting.id);
  carets.delete(meeting.id);
  // After a save, or a re-render while typing: back to the text, where the member was.
  // A save's answer is said once the status line is on the page (so that it is announced).
  /** @type {{state: 'done' | 'refused', text: string} | undefined} */
  const says = said ? { state: outcome?.text === said ? outcome.state : 'done', text: said } : outcome;
  if (says || caret) {
    requestAnimationFrame(() => {
      if (says) status.set(says.state, says.text);
      if (!said && !caret) return; // a re-render of an answer already given moves no focus
      if (!text.isConnected) return;
      text.focus();
      if (caret) text.setSelectionRange(caret.start, caret.end);
    });
  }
  return body;
}

/** What the last save looks like to readers: the server's html of it. @param {RevisionOut | undefined} latest */
function previewPane(latest) {
  if (!latest) {
    return el('div', { class: 'rd-preview' }, el('h4', {}, t('readouts.preview')), el('p', { class: 'hint' }, t('readouts.preview_hint')));
  }
  return el('div', { class: 'rd-preview', 'data-testid': 'preview' },
    el('h4', {}, t('readouts.preview_of', { number: latest.number })), serverHtml(latest.html));
}

/** For a member who is not the lead: who publishes. @param {Ctx} ctx */
function whoPublishes(ctx) {
  const lead = ctx.dialogue.sides.find((s) => s.id === ctx.you.side)?.lead;
  return el('p', { class: 'hint' }, lead ? t('readouts.lead_publishes', { name: memberName(ctx.dialogue, lead) }) : t('readouts.your_lead_publishes'));
}

/**
 * Why a save was refused, naming who saved in between when the list knows.
 * @param {{number: number}} theirs @param {RevisionOut[]} revisions @param {Ctx} ctx
 */
function conflictWords(theirs, revisions, ctx) {
  const by = revisions.find((r) => r.number === theirs.number);
  return by
    ? t('readouts.conflict_by', { name: memberName(ctx.dialogue, by.author), number: theirs.number, time: when(by.at, ctx.zone) })
    : t('readouts.conflict', { number: theirs.number });
}

/**
 * The newer text, read-only beside the member's own, and the way to take it instead.
 * @param {{number: number, text: string}} theirs @param {() => void} take
 * @returns {HTMLElement[]}
 */
function theirsPane(theirs, take) {
  const id = uid('theirs');
  const shown = /** @type {HTMLTextAreaElement} */ (el('textarea', { id, rows: '12', readonly: true, 'data-testid': 'theirs-text' }));
  shown.value = theirs.text;
  const takeTheirs = button(t('readouts.use_theirs'));
  takeTheirs.addEventListener('click', take);
  return [el('label', { for: id }, t('readouts.theirs_label', { number: theirs.number })), shown, el('div', { class: 'rd-row' }, takeTheirs)];
}

/**
 * The lead's Publish: the latest revision only (the rules' choice), as a
 * correction when an earlier one is out. An older revision is published by
 * restoring it first.
 * @param {MeetingOut} meeting @param {Ctx} ctx @param {string} path @param {RevisionOut[]} revisions
 * @param {() => boolean} dirty whether the editor holds unsaved text
 */
function publisher(meeting, ctx, path, revisions, dirty) {
  const status = statusLine();
  const next = publishable(revisions);
  const node = el('div', { class: 'rd-publish', 'data-testid': 'publish' });
  if (!next) {
    const said = revisions.length ? t('readouts.all_published') : t('readouts.first_revision');
    node.append(el('p', { class: 'hint' }, said));
    return { node, update() {} };
  }
  const label = t(next.correction ? 'readouts.publish_correction' : 'readouts.publish', { number: next.number });
  const go = button(label, 'btn-primary');
  const why = el('p', { class: 'hint' });
  const update = () => {
    const holding = dirty();
    go.disabled = holding;
    why.textContent = holding ? t('readouts.unsaved_first') : t('readouts.publish_hint');
  };
  update();
  go.addEventListener('click', async () => {
    const done = t(next.correction ? 'readouts.published_correction' : 'readouts.published', { number: next.number });
    const answer = await act(go, status, { doing: t('readouts.publishing'), done }, () => post(path.replace(/\/draft$/, '/publish'), { number: next.number }));
    if (answer === undefined) return;
    notes.leave(meeting.id, done);
    await ctx.refresh();
  });
  node.append(el('div', { class: 'rd-row' }, go, status.node), why);
  return { node, update };
}

/**
 * Every revision, newest first, with its author, time and state; an older one
 * can be shown and restored.
 * @param {RevisionOut[]} revisions @param {Ctx} ctx
 * @param {(r: RevisionOut, trigger: HTMLButtonElement) => void} restore
 */
function revisionList(revisions, ctx, restore) {
  const heading = uid('revisions');
  const box = el('section', { class: 'rd-revisions', 'aria-labelledby': heading, 'data-testid': 'revisions' },
    el('h4', { id: heading }, t('readouts.revisions', { count: revisions.length })));
  if (!revisions.length) {
    box.append(el('p', { class: 'hint' }, t('readouts.no_revisions')));
    return box;
  }
  const latest = baseOf(revisions);
  const list = el('ol', { class: 'rd-revision-list', reversed: true });
  for (const r of [...revisions].sort((a, b) => b.number - a.number)) {
    const item = el('li', { 'data-number': String(r.number) });
    const summary = el('summary', {},
      el('strong', {}, t('readouts.revision', { number: r.number })), ` ${t('readouts.by', { name: memberName(ctx.dialogue, r.author) })} `,
      timeEl(r.at, when(r.at, ctx.zone)), ' ',
      el('span', { class: 'rd-badge', 'data-state': r.published ? 'published' : 'draft' }, r.published ? t('readouts.state_published') : t('readouts.state_draft')));
    const details = el('details', {}, summary, serverHtml(r.html));
    if (r.number !== latest) {
      const again = button(t('readouts.restore', { number: r.number }));
      again.addEventListener('click', () => restore(r, again));
      details.append(el('div', { class: 'rd-row' }, again,
        el('span', { class: 'hint' }, t('readouts.restore_hint'))));
    }
    item.append(details);
    list.append(item);
  }
  box.append(list);
  return box;
}
