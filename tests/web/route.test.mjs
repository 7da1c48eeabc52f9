// Where the web client's next hello goes in a cluster (frankly/web/signaling.js's Route).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_REDIRECTS, Route, socketUrl } from '../../frankly/web/signaling.js';

test('a node base URL becomes its signaling URL, a path prefix kept', () => {
  assert.equal(socketUrl('http://b:8080'), 'ws://b:8080/ws');
  assert.equal(socketUrl('https://c.example/prefix/'), 'wss://c.example/prefix/ws');
  assert.equal(socketUrl('ftp://d/'), null);
  assert.equal(socketUrl('not a url'), null);
});

test('a redirect loop is bounded, and the bound starts again', () => {
  const route = new Route('ws://a:8080/ws');
  const followed = [...'bababa'].map((n) => route.follow(`http://${n}:8080`));
  assert.deepEqual(followed, [...Array(MAX_REDIRECTS).fill(true), false, true]);
});

test('a welcome starts the count again and names the nodes to try after a loss', () => {
  const route = new Route('ws://a:8080/ws');
  for (let i = 0; i < MAX_REDIRECTS; i++) assert.ok(route.follow('http://b:8080'));
  route.welcomed(['http://b:8080', 'http://a:8080', 7]);
  assert.ok(route.follow('http://a:8080'));
  const tried = [1, 2, 3].map((attempt) => (route.afterLoss(attempt), route.url));
  assert.deepEqual(tried, ['ws://b:8080/ws', 'ws://a:8080/ws', 'ws://b:8080/ws']);
});

test('without a cluster the URL never moves', () => {
  const route = new Route('ws://a:8080/ws');
  route.welcomed(undefined);
  route.afterLoss(2);
  assert.equal(route.url, 'ws://a:8080/ws');
  assert.equal(route.follow(null), false);
});

test('a node whose socket never opens is passed over at once, once per other node', () => {
  const route = new Route('ws://a:8080/ws');
  assert.equal(route.refused(), false); // no cluster: the backoff, as ever
  route.welcomed(['http://a:8080', 'http://b:8080', 'http://c:8080']);
  assert.deepEqual([1, 2, 3].map(() => route.refused()), [true, true, false]);
  assert.equal(route.refused(), true); // after a wait, again
  route.welcomed(['http://a:8080', 'http://b:8080', 'http://c:8080']);
  assert.equal(route.quick, 0);
});
