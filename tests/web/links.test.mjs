// Links in chat text (frankly/web/links.js): only http(s) addresses become links, the text is kept whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { linkParts, safeHref } from '../../frankly/web/links.js';

/** @param {string} text */
const links = (text) => linkParts(text).filter((p) => p.href);

test('plain text is one part, unchanged', () => {
  assert.deepEqual(linkParts('no links here'), [{ text: 'no links here' }]);
  assert.deepEqual(linkParts(''), [{ text: '' }]);
});

test('an http or https address becomes a link; the text around it stays', () => {
  assert.deepEqual(linkParts('see https://example.org/a?b=1#c now'), [
    { text: 'see ' },
    { text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
    { text: ' now' },
  ]);
  assert.deepEqual(links('HTTP://Example.ORG'), [{ text: 'HTTP://Example.ORG', href: 'http://example.org/' }]);
  assert.equal(links('a http://one.example and https://two.example/x').length, 2);
});

test('punctuation that ends the sentence is not part of the address', () => {
  assert.equal(links('Read https://example.org/page.')[0].href, 'https://example.org/page');
  assert.equal(links('(see https://example.org/x)')[0].text, 'https://example.org/x');
  assert.equal(links('https://en.wikipedia.org/wiki/Foo_(bar)')[0].text, 'https://en.wikipedia.org/wiki/Foo_(bar)');
  assert.equal(links('“https://example.org/q”')[0].text, 'https://example.org/q');
});

test('joined, the parts are the message', () => {
  for (const text of ['x https://a.example/b, y', 'javascript:alert(1)', 'https://a.example<b>', '<a href="https://x.example">']) {
    assert.equal(linkParts(text).map((p) => p.text).join(''), text);
  }
});

test('no other scheme becomes a link', () => {
  for (const text of [
    'javascript:alert(1)',
    'JavaScript://example.org/%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript:msgbox',
    'ftp://example.org/',
    'mailto:a@example.org',
    'http://',
    'https:///nohost',
  ]) {
    assert.deepEqual(links(text), [], text);
  }
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('https://example.org'), 'https://example.org/');
});

test('quotes and angle brackets end an address, so none leaks into an attribute', () => {
  assert.equal(links('https://a.example/"onmouseover="x')[0].href, 'https://a.example/');
  assert.equal(links("https://a.example/'x")[0].text, 'https://a.example/');
  assert.equal(links('https://a.example/<script>')[0].text, 'https://a.example/');
});
