'use strict';

const { apiUrl } = require('../lib/api');
const { sample, outputFields } = require('../lib/post');
const { postFields, postBody, idempotencyKey } = require('./fields');

const perform = async (z, bundle) => {
  const response = await z.request({
    url: apiUrl(bundle, '/posts'),
    method: 'POST',
    headers: { 'Idempotency-Key': idempotencyKey(bundle) },
    body: postBody(z, bundle.inputData),
  });
  return response.data.data;
};

module.exports = {
  key: 'create_post',
  noun: 'Post',
  display: {
    label: 'Create Post',
    description: 'Creates a post or page (a draft unless another status is chosen).',
  },
  operation: {
    inputFields: [
      ...postFields(true),
      { key: 'idempotency_key', label: 'Idempotency Key', required: false,
        helpText: 'Optional. Runs with the same key within 24 hours create one post (the first one is ' +
          'returned again). Empty: the Zap and these fields make the key, so a replayed task never creates a ' +
          'duplicate; map e.g. the trigger\'s ID to allow identical posts from different triggers.' },
    ],
    perform,
    sample,
    outputFields,
  },
};
