// The safety code's 64 emoji (docs/security.md, *Safety code*), in order.
// frankly/client/e2ee has the same list; both must never change.

/** @type {ReadonlyArray<readonly [string, string]>} emoji and the name read out */
export const SAFETY_EMOJI = Object.freeze([
  ['🐶', 'dog'],
  ['🐱', 'cat'],
  ['🦁', 'lion'],
  ['🐴', 'horse'],
  ['🦄', 'unicorn'],
  ['🐷', 'pig'],
  ['🐘', 'elephant'],
  ['🐰', 'rabbit'],
  ['🐼', 'panda'],
  ['🐓', 'rooster'],
  ['🐧', 'penguin'],
  ['🐢', 'turtle'],
  ['🐟', 'fish'],
  ['🐙', 'octopus'],
  ['🦋', 'butterfly'],
  ['🌷', 'tulip'],
  ['🌳', 'tree'],
  ['🌵', 'cactus'],
  ['🍄', 'mushroom'],
  ['🌏', 'globe'],
  ['🌙', 'moon'],
  ['🔥', 'fire'],
  ['🍌', 'banana'],
  ['🍎', 'apple'],
  ['🍓', 'strawberry'],
  ['🌽', 'corn'],
  ['🍕', 'pizza'],
  ['🎂', 'cake'],
  ['😀', 'smiley'],
  ['🤖', 'robot'],
  ['🎩', 'top hat'],
  ['👓', 'glasses'],
  ['🔧', 'wrench'],
  ['🎅', 'Santa'],
  ['👍', 'thumbs up'],
  ['🌂', 'umbrella'],
  ['⌛', 'hourglass'],
  ['⏰', 'alarm clock'],
  ['🎁', 'gift'],
  ['💡', 'light bulb'],
  ['📕', 'book'],
  ['📎', 'paperclip'],
  ['🔨', 'hammer'],
  ['📞', 'telephone'],
  ['🏁', 'chequered flag'],
  ['🚂', 'train'],
  ['🚲', 'bicycle'],
  ['🚀', 'rocket'],
  ['🏆', 'trophy'],
  ['⚽', 'football'],
  ['🎸', 'guitar'],
  ['🎺', 'trumpet'],
  ['🔔', 'bell'],
  ['⚓', 'anchor'],
  ['🎧', 'headphones'],
  ['📁', 'folder'],
  ['📌', 'pushpin'],
  ['🐝', 'bee'],
  ['🦀', 'crab'],
  ['🦉', 'owl'],
  ['🐸', 'frog'],
  ['🍋', 'lemon'],
  ['🍇', 'grapes'],
  ['🥕', 'carrot'],
]);

/**
 * The six emoji two participants compare: they match when nobody swapped
 * their keys on the way.
 * @param {string} idA @param {Uint8Array<ArrayBuffer>} pubA raw public key of idA
 * @param {string} idB @param {Uint8Array<ArrayBuffer>} pubB
 * @returns {Promise<Array<readonly [string, string]>>}
 */
export async function safetyCode(idA, pubA, idB, pubB) {
  const [low, high] = idA < idB ? [pubA, pubB] : [pubB, pubA];
  const label = new TextEncoder().encode('Frankly safety');
  const input = new Uint8Array(label.length + low.length + high.length);
  input.set(label, 0);
  input.set(low, label.length);
  input.set(high, label.length + low.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  // The first 36 bits, six at a time, most significant first.
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(digest[i]);
  bits >>= 4n; // 40 bits read, 36 kept
  const code = [];
  for (let i = 5; i >= 0; i--) code.push(SAFETY_EMOJI[Number((bits >> BigInt(6 * i)) & 63n)]);
  return code;
}
