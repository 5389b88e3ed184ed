'use strict';

const crypto = require('crypto');
const { apiUrl, listPosts } = require('../lib/api');
const { sample, outputFields, TYPE_CHOICES } = require('../lib/post');

const TOLERANCE_SECONDS = 5 * 60;

// Standard Webhooks: webhook-signature is "v1,<base64 HMAC-SHA256 of id.timestamp.body>" (several, space-separated,
// after a secret rotation), keyed with the base64 part of the whsec_ secret. Header names as Zapier passes them
// (any case, possibly "Http-" prefixed).
const header = (headers, name) => {
  for (const [key, value] of Object.entries(headers || {})) {
    const normal = key.toLowerCase().replace(/^http[-_]/, '').replace(/_/g, '-');
    if (normal === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
};

const verifySignature = (secret, rawRequest, now = Date.now()) => {
  const id = header(rawRequest.headers, 'webhook-id');
  const timestamp = header(rawRequest.headers, 'webhook-timestamp');
  const signatures = header(rawRequest.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) return 'missing webhook-id, webhook-timestamp or webhook-signature';
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    return 'timestamp too old or in the future';
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${rawRequest.content}`).digest();
  const valid = signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  return valid ? null : 'no valid signature';
};

const performSubscribe = async (z, bundle) => {
  const response = await z.request({
    url: apiUrl(bundle, '/hooks'),
    method: 'POST',
    body: {
      target_url: bundle.targetUrl,
      event: 'post.published',
      description: `Zapier: Post Published${bundle.meta && bundle.meta.zap ? ` (Zap ${bundle.meta.zap.id})` : ''}`,
    },
  });
  // Zapier keeps this as bundle.subscribeData: the id to unsubscribe, the secret to verify deliveries.
  const { id, secret, target_url: targetUrl, events } = response.data.data;
  return { id, secret, target_url: targetUrl, events };
};

const performUnsubscribe = async (z, bundle) => {
  const response = await z.request({
    url: apiUrl(bundle, `/hooks/${encodeURIComponent(bundle.subscribeData.id)}`),
    method: 'DELETE',
    skipThrowForStatus: true,
  });
  // Already gone (deleted in the admin): nothing left to unsubscribe.
  if (response.status !== 204 && response.status !== 404) response.throwForStatus();
  return { status: response.status };
};

// A delivery: {"type": "post.published", "timestamp", "data": <the post>}.
const perform = (z, bundle) => {
  const secret = bundle.subscribeData && bundle.subscribeData.secret;
  const raw = bundle.rawRequest;
  if (secret && raw && typeof raw.content === 'string' && raw.headers) {
    const problem = verifySignature(secret, raw);
    if (problem) throw new z.errors.Error(`Refused a webhook delivery that PolyCMS did not sign: ${problem}.`,
      'invalid_signature', 401);
  }
  const event = bundle.cleanedRequest || {};
  if (event.type !== 'post.published' || !event.data) return [];
  const post = event.data;
  if (bundle.inputData.type && post.type !== bundle.inputData.type) return [];
  return [post];
};

// What the Zap editor shows while setting the Zap up: recent published posts, in the deliveries' shape.
const performList = (z, bundle) =>
  listPosts(z, bundle, { status: 'published', ordering: '-published_at,-id', type: bundle.inputData.type });

module.exports = {
  key: 'post_published',
  noun: 'Post',
  display: {
    label: 'Post Published',
    description: 'Triggers instantly when a post or page goes public: published now, or its scheduled time arrived.',
  },
  operation: {
    type: 'hook',
    inputFields: [{ key: 'type', label: 'Type', choices: TYPE_CHOICES, required: false,
      helpText: 'Only posts, or only pages.' }],
    performSubscribe,
    performUnsubscribe,
    perform,
    performList,
    sample,
    outputFields,
  },
  verifySignature,
};
