// Room names, links and the secrets in them (frankly/web/urls.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  isValidRoom,
  newRoomName,
  passphraseFrom,
  roomFromInput,
  roomLink,
  signalingUrl,
  withoutSecrets,
  dialogueOfInvite,
  inviteClaims,
  dialoguePage,
} from '../../frankly/web/urls.js';

test('a room name is 1 to 64 letters, digits, - or _', () => {
  assert.ok(isValidRoom('a'));
  assert.ok(isValidRoom('Team_sync-2'));
  assert.ok(isValidRoom('x'.repeat(64)));
  assert.ok(!isValidRoom(''));
  assert.ok(!isValidRoom('x'.repeat(65)));
  assert.ok(!isValidRoom('two words'));
  assert.ok(!isValidRoom('naïve'));
});

test('no room takes the name of one of the server\'s own paths', () => {
  for (const name of ['api', 'API', 'ws', 'static', 'healthz', 'metrics', 'readyz']) assert.ok(!isValidRoom(name), name);
  assert.ok(isValidRoom('apis'));
});

test('roomFromInput takes a bare name', () => {
  assert.equal(roomFromInput('  standup  '), 'standup');
  assert.equal(roomFromInput('stand up'), null);
  assert.equal(roomFromInput('   '), null);
});

test('roomFromInput takes a pasted link, with or without a query, fragment or trailing slash', () => {
  assert.equal(roomFromInput('https://meet.example/k3rt-9wq2-mzha'), 'k3rt-9wq2-mzha');
  assert.equal(roomFromInput('https://meet.example/k3rt/?invite=abc#passphrase=x'), 'k3rt');
  assert.equal(roomFromInput('/board', 'https://meet.example'), 'board');
  assert.equal(roomFromInput('https://meet.example/a%2Db'), 'a-b');
});

test('roomFromInput refuses a link whose last segment is no room name', () => {
  assert.equal(roomFromInput('https://meet.example/'), null);
  assert.equal(roomFromInput('https://meet.example/a%20b'), null);
  assert.equal(roomFromInput('https://meet.example/%E0%A4%A'), null); // broken escape
});

test('newRoomName gives three groups of four from the alphabet without look-alikes', () => {
  const names = new Set();
  for (let i = 0; i < 50; i++) {
    const name = newRoomName();
    assert.match(name, /^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$/);
    assert.ok(isValidRoom(name));
    names.add(name);
  }
  assert.equal(names.size, 50);
});

test('signalingUrl follows the page: wss under https', () => {
  assert.equal(signalingUrl({ protocol: 'https:', host: 'meet.example:8443' }), 'wss://meet.example:8443/ws');
  assert.equal(signalingUrl({ protocol: 'http:', host: '127.0.0.1:8000' }), 'ws://127.0.0.1:8000/ws');
});

test('withoutSecrets takes the invite out of the address and keeps the rest', () => {
  const { secrets, href } = withoutSecrets('https://meet.example/board?invite=t0k%2Ben&lang=fr#passphrase=open');
  assert.deepEqual(secrets, { invite: 't0k+en' });
  assert.equal(href, 'https://meet.example/board?lang=fr#passphrase=open');
  assert.ok(!href.includes('t0k'));
});

test('withoutSecrets leaves an address without secrets as it is', () => {
  const plain = 'https://meet.example/board';
  assert.deepEqual(withoutSecrets(plain), { secrets: {}, href: plain });
  assert.equal(withoutSecrets('https://meet.example/board?invite=x').href, plain);
});

test('passphraseFrom reads the fragment, with or without its #', () => {
  assert.equal(passphraseFrom('#passphrase=open%20sesame'), 'open sesame');
  assert.equal(passphraseFrom('passphrase=abc'), 'abc');
  assert.equal(passphraseFrom(''), null);
  assert.equal(passphraseFrom('#passphrase='), null);
});

test('roomLink puts an invite in the query and a passphrase in the fragment', () => {
  assert.equal(roomLink('https://m.example', 'board'), 'https://m.example/board');
  assert.equal(
    roomLink('https://m.example', 'board', { invite: 'a+b', passphrase: 'x y' }),
    'https://m.example/board?invite=a%2Bb#passphrase=x%20y',
  );
  const back = withoutSecrets(roomLink('https://m.example', 'b', { invite: 'a+b=' }));
  assert.equal(back.secrets.invite, 'a+b=');
});

test('withoutSecrets takes an invite out of the fragment too, keeping the passphrase', () => {
  const { secrets, href } = withoutSecrets('https://meet.example/dlg-1#invite=a.b.c&passphrase=open');
  assert.deepEqual(secrets, { invite: 'a.b.c' });
  assert.equal(href, 'https://meet.example/dlg-1#passphrase=open');
  const alone = withoutSecrets('https://meet.example/dlg-1#invite=a.b.c');
  assert.deepEqual(alone, { secrets: { invite: 'a.b.c' }, href: 'https://meet.example/dlg-1' });
});

/** @param {object} claims */
const token = (claims) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

test('dialogueOfInvite reads the dialogue an invite names, and nothing from junk', () => {
  assert.equal(dialogueOfInvite(token({ room: 'r', dialogue: 'dl-abc_1' })), 'dl-abc_1');
  assert.equal(dialogueOfInvite(token({ room: 'r' })), null);
  assert.equal(dialogueOfInvite(token({ dialogue: '../../evil' })), null);
  assert.equal(dialogueOfInvite('not a token'), null);
  assert.equal(dialogueOfInvite('a.%%%.c'), null);
  assert.equal(dialogueOfInvite(null), null);
  assert.equal(dialoguePage('dl-abc'), '/dialogues/dl-abc');
});

test('inviteClaims shows the name and side an invite gives, and nothing from junk', () => {
  const claims = inviteClaims(token({ room: 'r', name: 'Сергей', side: 'Российская Федерация', dialogue: 'dl-1' }));
  assert.deepEqual(claims, { dialogue: 'dl-1', name: 'Сергей', side: 'Российская Федерация' });
  assert.deepEqual(inviteClaims(token({ room: 'r', name: 'a\u0007b', side: 42 })), { dialogue: null, name: null, side: null });
  assert.deepEqual(inviteClaims('not.a-jwt!'), { dialogue: null, name: null, side: null });
  assert.deepEqual(inviteClaims(null), { dialogue: null, name: null, side: null });
});
