// Solves one human-check challenge (see humancheck.js); answers the number,
// or null when none in range fits.

const scope = /** @type {any} */ (self);
const hex = (/** @type {ArrayBuffer} */ buf) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

scope.onmessage = async (/** @type {MessageEvent} */ event) => {
  const { salt, challenge, maxnumber } = event.data;
  const encoder = new TextEncoder();
  const limit = typeof maxnumber === 'number' ? maxnumber : 1_000_000;
  for (let n = 0; n <= limit; n++) {
    if (hex(await crypto.subtle.digest('SHA-256', encoder.encode(salt + n))) === challenge) {
      scope.postMessage(n);
      return;
    }
  }
  scope.postMessage(null);
};
