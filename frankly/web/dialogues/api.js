// @ts-check
/**
 * The dialogue pages' one way to the REST API (/api/, docs/api.md).
 *
 * The member's credential is an HttpOnly cookie that this script never
 * sees: the browser sends it with every same-origin request to /api/. So a
 * call here names no secret, only what to do; the server decides who is
 * asking. A refusal comes back as the API's JSON error and is thrown as an
 * ApiFailure with its stable code, so that screens branch on `code`, never
 * on the message or the HTTP status.
 */

import { t } from '../i18n.js';

/** The codes of failures the page itself names, beside the API's (codes.js). */
export const NETWORK = 'network'; // the server could not be reached
export const BAD_ANSWER = 'bad-answer'; // it answered something that is not the API's JSON

/** What the API answered when it refused. */
export class ApiFailure extends Error {
  /**
   * @param {number} status the HTTP status
   * @param {string} code the API's stable code (docs/api.md), or NETWORK / BAD_ANSWER
   * @param {string} message readable, for people
   * @param {Record<string, unknown>} [detail] e.g. the newer text of a stale save
   */
  constructor(status, code, message, detail = {}) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/**
 * Call the API: `method` on `/api${path}`, with `body` as JSON when given.
 * Resolves to the parsed JSON answer (or null for an empty one).
 * @param {'GET' | 'POST' | 'PUT' | 'DELETE'} method
 * @param {string} path beginning with '/', e.g. '/dialogues/d-1234'
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function request(method, path, body) {
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
  }
  let answer;
  try {
    answer = await fetch(`/api${path}`, init);
  } catch {
    throw new ApiFailure(0, NETWORK, t('dlg.unreachable'));
  }
  const text = await answer.text();
  /** @type {any} */
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiFailure(answer.status, BAD_ANSWER, t('dlg.no_json', { status: answer.status }));
    }
  }
  if (answer.ok) return json;
  const error = json?.error;
  if (error && typeof error.code === 'string') {
    throw new ApiFailure(answer.status, error.code, String(error.message ?? error.code), error.detail ?? {});
  }
  throw new ApiFailure(answer.status, BAD_ANSWER, t('dlg.answered', { status: answer.status }));
}

/** @param {string} path @returns {Promise<any>} */
export const get = (path) => request('GET', path);
/** @param {string} path @param {unknown} [body] @returns {Promise<any>} */
export const post = (path, body = {}) => request('POST', path, body);
/** @param {string} path @param {unknown} body @returns {Promise<any>} */
export const put = (path, body) => request('PUT', path, body);
/** @param {string} path @returns {Promise<any>} */
export const del = (path) => request('DELETE', path);
