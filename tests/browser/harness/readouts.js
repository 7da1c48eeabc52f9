// Test-only: loads ?d=DIALOGUE&m=MEETING through the API and renders the three meeting
// sections, re-rendering them on ctx.refresh() as the meeting view does; or, with
// ?public=READOUT, the public readout page. body[data-renders] counts the renders.
import { get } from '/static/dialogues/api.js';
import { renderPoints } from '/static/dialogues/points.js';
import { renderPublic } from '/static/dialogues/public.js';
import { renderReadouts } from '/static/dialogues/readouts.js';
import { renderRepresentatives } from '/static/dialogues/representatives.js';

const params = new URLSearchParams(location.search);
const byId = (id) => document.getElementById(id);
const counted = () => (document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1));

if (params.has('public')) {
  renderPublic(byId('main'), params.get('public')).then(counted);
} else {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const refresh = async () => {
    const dialogue = await get(`/dialogues/${params.get('d')}?zone=${encodeURIComponent(zone)}`);
    const meeting = dialogue.meetings.find((m) => m.id === params.get('m'));
    const ctx = { dialogue, you: dialogue.you, zone, refresh };
    renderReadouts(byId('readouts'), meeting, ctx);
    renderPoints(byId('points'), meeting, ctx);
    renderRepresentatives(byId('representatives'), meeting, ctx);
    counted();
  };
  window.harnessRefresh = refresh; // as the meeting view re-renders on its own
  refresh();
}
