'use strict';

const { apiUrl } = require('../lib/api');
const { sample, outputFields } = require('../lib/post');
const { postFields, postBody } = require('./fields');

// PATCH: only the fields given change.
const perform = async (z, bundle) => {
  const body = postBody(z, bundle.inputData);
  if (Object.keys(body).length === 0) {
    throw new z.errors.Error('Nothing to update: give at least one field.', 'nothing_to_update', 400);
  }
  const response = await z.request({
    url: apiUrl(bundle, `/posts/${encodeURIComponent(bundle.inputData.post_id)}`),
    method: 'PATCH',
    body,
  });
  return response.data.data;
};

module.exports = {
  key: 'update_post',
  noun: 'Post',
  display: { label: 'Update Post', description: 'Changes an existing post or page: only the fields given.' },
  operation: {
    inputFields: [
      { key: 'post_id', label: 'Post', required: true, dynamic: 'new_post.id.title', helpText: 'Its id or slug.' },
      ...postFields(false),
    ],
    perform,
    sample,
    outputFields,
  },
};
