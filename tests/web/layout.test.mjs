// The meeting's layouts as arithmetic (frankly/web/layout.js): grids that fill the stage,
// one tile large with a strip, our picture in a phone's corner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bestGrid, bounds, cornerLayout, fitRect, focusLayout, gridRects } from '../../frankly/web/layout.js';

/** @param {{x: number, y: number, width: number, height: number}} a @param {typeof a} b */
function overlap(a, b) {
  return a.x < b.x + b.width - 0.01 && b.x < a.x + a.width - 0.01 && a.y < b.y + b.height - 0.01 && b.y < a.y + a.height - 0.01;
}

/** @param {{x: number, y: number, width: number, height: number}} r @param {number} w @param {number} h */
function inside(r, w, h) {
  return r.x >= -0.01 && r.y >= -0.01 && r.x + r.width <= w + 0.01 && r.y + r.height <= h + 0.01;
}

test('four tiles on a wide stage are two by two, never three and one', () => {
  const g = bestGrid(4, 1100, 700, 12);
  assert.deepEqual([g.columns, g.rows], [2, 2]);
  // As large as the width allows: two columns of (1100 - 12) / 2.
  assert.ok(Math.abs(g.width - 544) < 0.01, String(g.width));
  assert.ok(Math.abs(g.width / g.height - 16 / 9) < 1e-9);
});

test('the grid picks the column count whose tiles are largest', () => {
  assert.deepEqual([bestGrid(1, 1100, 700).columns, bestGrid(1, 1100, 700).rows], [1, 1]);
  assert.equal(bestGrid(2, 1400, 600, 12).columns, 2); // side by side on a wide stage
  assert.equal(bestGrid(2, 374, 600, 8).columns, 1); // one above the other on a phone
  assert.equal(bestGrid(3, 1400, 500, 12).columns, 3); // a wide, low stage: one row
  assert.deepEqual([bestGrid(9, 1200, 700, 12).columns, bestGrid(9, 1200, 700, 12).rows], [3, 3]);
  // A phone: one column while it fits, two once one column makes tiles small.
  assert.equal(bestGrid(4, 374, 600, 8).columns, 1);
  assert.equal(bestGrid(6, 374, 600, 8).columns, 2);
  // No tiles or no room: nothing, not NaN.
  assert.equal(bestGrid(0, 1000, 600).width, 0);
  assert.equal(bestGrid(3, 0, 600).width, 0);
});

test('no other column count gives larger tiles than the one chosen', () => {
  for (const [w, h] of [[390, 500], [1024, 480], [1440, 760], [800, 800]]) {
    for (let n = 1; n <= 12; n += 1) {
      const chosen = bestGrid(n, w, h, 10);
      for (let c = 1; c <= n; c += 1) {
        const r = Math.ceil(n / c);
        const tw = Math.min((w - (c - 1) * 10) / c, ((h - (r - 1) * 10) / r) * (16 / 9));
        assert.ok(tw <= chosen.width + 1e-9, `${n} in ${w}x${h}: ${c} columns beat ${chosen.columns}`);
      }
    }
  }
});

test('grid tiles fill the stage without overlapping, a short last row centred', () => {
  const box = { x: 0, y: 0, width: 1400, height: 600 };
  const rects = gridRects(5, box, 12);
  assert.equal(rects.length, 5);
  for (const [i, a] of rects.entries()) {
    assert.ok(inside(a, 1400, 600), JSON.stringify(a));
    for (const b of rects.slice(i + 1)) assert.ok(!overlap(a, b));
  }
  // Three above, two below in the middle: the stage's centre line splits the last row.
  const last = rects.slice(3);
  const middle = (last[0].x + last[1].x + last[1].width) / 2;
  assert.ok(Math.abs(middle - 700) < 0.01, String(middle));
  // The block is centred vertically too: the same space above and below.
  const all = bounds(rects);
  assert.ok(Math.abs(all.y - (600 - all.y - all.height)) < 0.01);
});

test('fitRect keeps 16:9 inside its box, in the middle', () => {
  assert.deepEqual(fitRect({ x: 0, y: 0, width: 1600, height: 1600 }), { x: 0, y: 350, width: 1600, height: 900 });
  assert.deepEqual(fitRect({ x: 10, y: 0, width: 3200, height: 900 }), { x: 810, y: 0, width: 1600, height: 900 });
});

test('focus: the main tile is far larger than any strip tile, all inside, none overlapping', () => {
  for (const [w, h] of [[374, 520], [1100, 700], [1400, 620], [700, 700]]) {
    for (let others = 1; others <= 8; others += 1) {
      const f = focusLayout(others, w, h, 8);
      assert.equal(f.strip.length, others);
      const all = [f.main, ...f.strip];
      for (const [i, a] of all.entries()) {
        assert.ok(inside(a, w, h), `${w}x${h} ${others}: ${JSON.stringify(a)}`);
        for (const b of all.slice(i + 1)) assert.ok(!overlap(a, b), `${w}x${h} ${others} overlap`);
      }
      for (const s of f.strip) assert.ok(s.height * 2 < f.main.height, `${w}x${h} ${others}: strip ${s.height} main ${f.main.height}`);
    }
  }
});

test('on a phone the strip is a row under the main tile; on a wide low stage it is beside it', () => {
  const phone = focusLayout(3, 374, 520, 8);
  assert.equal(phone.side, 'bottom');
  assert.equal(phone.main.width, 374);
  for (const s of phone.strip) assert.ok(s.y >= phone.main.y + phone.main.height);
  // Packed: one gap between the main tile and its strip, not a band.
  const top = Math.min(...phone.strip.map((s) => s.y));
  assert.ok(Math.abs(top - (phone.main.y + phone.main.height + 8)) < 0.01);
  const wide = focusLayout(3, 1400, 600, 8);
  assert.equal(wide.side, 'right');
  for (const s of wide.strip) assert.ok(s.x >= wide.main.x + wide.main.width);
});

test('focus with nobody else: the one tile as large as the stage allows', () => {
  const f = focusLayout(0, 1100, 700);
  assert.deepEqual(f.strip, []);
  assert.equal(f.side, 'none');
  assert.equal(f.main.width, 1100);
});

test('two on a phone: the other fills the width, our picture sits in its bottom right corner', () => {
  const { main, corner } = cornerLayout(374, 600, 8);
  assert.equal(main.width, 374);
  assert.ok(corner.width < main.width / 2);
  assert.ok(Math.abs(corner.x + corner.width - (main.x + main.width - 8)) < 0.01);
  assert.ok(Math.abs(corner.y + corner.height - (main.y + main.height - 8)) < 0.01);
});
