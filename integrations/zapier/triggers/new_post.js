'use strict';

const { listPosts } = require('../lib/api');
const { sample, outputFields, filterFields } = require('../lib/post');

// Newest first: Zapier dedupes on id, so each post triggers once.
const perform = (z, bundle) =>
  listPosts(z, bundle, { ordering: '-created_at,-id', status: bundle.inputData.status, type: bundle.inputData.type });

module.exports = {
  key: 'new_post',
  noun: 'Post',
  display: {
    label: 'New Post',
    description: 'Triggers when a post or page is created (any status, unless filtered).',
  },
  operation: { inputFields: filterFields, perform, sample, outputFields },
};
