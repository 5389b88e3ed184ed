'use strict';

const crypto = require('crypto');
const { contentRaw } = require('../lib/content');
const { STATUS_CHOICES, TYPE_CHOICES } = require('../lib/post');

// The post fields Create Post and Update Post take (Update Post: none required).
const postFields = (creating) => [
  { key: 'title', label: 'Title', required: creating },
  { key: 'content', label: 'Content', type: 'text', required: false,
    helpText: 'Plain text (each paragraph, separated by a blank line, becomes a paragraph) or an Editor.js ' +
      'document as JSON, as chosen below.' },
  { key: 'content_format', label: 'Content Format', required: false, default: 'text',
    choices: { text: 'Plain text', editorjs: 'Editor.js JSON' } },
  { key: 'status', label: 'Status', required: false, choices: STATUS_CHOICES,
    ...(creating ? { default: 'draft' } : {}),
    helpText: 'Publishing needs a token whose owner may publish (Author or Editor).' },
  { key: 'slug', label: 'Slug', required: false,
    helpText: 'Lower-case letters, digits and hyphens. Made from the title when empty' +
      (creating ? '; a taken slug gets -2, -3…' : '.') },
  { key: 'excerpt', label: 'Excerpt', type: 'text', required: false, helpText: 'At most 1000 characters.' },
  ...(creating ? [{ key: 'type', label: 'Type', required: false, choices: TYPE_CHOICES, default: 'post' }] : []),
  { key: 'categories', label: 'Categories', required: false, list: true, dynamic: 'category_list.id.name',
    helpText: 'Category ids or slugs.' + (creating ? '' : ' Replaces the post\'s categories.') },
  { key: 'tags', label: 'Tags', required: false, list: true, dynamic: 'tag_list.id.name',
    helpText: 'Tag ids or slugs.' + (creating ? '' : ' Replaces the post\'s tags.') },
];

const present = (value) => value !== undefined && value !== null && value !== '' &&
  !(Array.isArray(value) && value.length === 0);

// Only the fields given: the API refuses unknown ones and an empty slug; numbers stay numbers (ids).
const postBody = (z, inputData) => {
  const body = {};
  for (const key of ['title', 'slug', 'excerpt', 'status', 'type']) {
    if (present(inputData[key])) body[key] = inputData[key];
  }
  for (const key of ['categories', 'tags']) {
    if (present(inputData[key])) {
      body[key] = [].concat(inputData[key]).map((value) => (/^\d+$/.test(String(value)) ? Number(value) : value));
    }
  }
  if (present(inputData.content)) body.content_raw = contentRaw(z, inputData.content, inputData.content_format);
  return body;
};

// Idempotency-Key: the same for a retry of the same step (same Zap, same inputs), so a replayed task never creates a
// second post (the API replays its first answer for 24 h); a mapped key (e.g. the trigger's ID) wins.
const idempotencyKey = (bundle) => {
  if (present(bundle.inputData.idempotency_key)) return String(bundle.inputData.idempotency_key).slice(0, 255);
  const zap = bundle.meta && bundle.meta.zap ? bundle.meta.zap.id : '';
  const inputs = Object.keys(bundle.inputData).sort().map((key) => [key, bundle.inputData[key]]);
  return `zapier-${crypto.createHash('sha256').update(JSON.stringify([zap, inputs])).digest('hex')}`;
};

module.exports = { postFields, postBody, idempotencyKey, present };
