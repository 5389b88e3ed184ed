'use strict';

// The PolyCMS site a connection points at, and what its API answers: URLs, errors, the shapes the Zap editor shows.

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

// The site URL as the user typed it → its origin plus any path prefix, without a trailing slash.
// https only, but for a server on this machine (http://localhost, http://127.0.0.1: development, the tests).
const siteUrl = (raw) => {
  const text = String(raw || '').trim();
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch (error) {
    throw new Error(`"${text}" is not a URL: enter your PolyCMS site's address, e.g. https://cms.example.com`);
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new Error(
      `The site URL must start with https:// (got ${url.protocol}//${url.host}): the token travels with ` +
        'every request. Only http://localhost and http://127.0.0.1 may use http.',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new Error('The site URL must not carry a user name, password, query or fragment: https://cms.example.com');
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.protocol}//${url.host}${path}`;
};

const apiUrl = (bundle, path) => `${siteUrl(bundle.authData.site_url)}/api/v1${path}`;

// {"error": {"code", "message", "details"}} → one readable line: the message, then each field's messages.
const describeError = (content, status) => {
  const error = content && typeof content === 'object' ? content.error : null;
  if (!error) return `PolyCMS answered HTTP ${status}.`;
  let text = error.message || `PolyCMS answered HTTP ${status} (${error.code}).`;
  const details = error.details && typeof error.details === 'object' ? error.details : {};
  const fields = Object.entries(details)
    .filter(([, messages]) => Array.isArray(messages) && messages.length)
    .map(([field, messages]) => `${field}: ${messages.join(' ')}`);
  if (fields.length && !fields.every((line) => text.includes(line))) text += ` (${fields.join('; ')})`;
  return text;
};

const parse = (response) => {
  try {
    return JSON.parse(response.content);
  } catch (error) {
    return null;
  }
};

const pageSize = (bundle) => {
  const limit = bundle.meta && bundle.meta.limit;
  return Number.isInteger(limit) && limit > 0 && limit < 20 ? limit : 20;
};

// GET /api/v1/posts, each post whole: the shape of GET /api/v1/posts/{id} and of a webhook's data. A list leaves
// the content out (README "Posts"), so a second request with the same filters fetches it (?fields=, at most 20 a
// page) and it is merged in by id: every other field comes as the server lists it, new ones included.
const listPosts = async (z, bundle, params) => {
  const query = { per_page: String(pageSize(bundle)) };
  for (const [name, value] of Object.entries(params)) if (value) query[name] = String(value);
  const url = apiUrl(bundle, '/posts');
  const [listed, contents] = await Promise.all([
    z.request({ url, params: query }),
    z.request({ url, params: { ...query, fields: 'id,content_raw,content_html' } }),
  ]);
  const byId = new Map(contents.data.data.map((post) => [post.id, post]));
  return listed.data.data
    .filter((post) => byId.has(post.id)) // written between the two requests: next poll
    .map((post) => {
      const { content_raw: contentRaw, content_html: contentHtml } = byId.get(post.id);
      return { ...post, content_raw: contentRaw, content_html: contentHtml };
    });
};

module.exports = { siteUrl, apiUrl, describeError, parse, listPosts };
