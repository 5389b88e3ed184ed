'use strict';

const { listPosts } = require('../lib/api');
const { sample, outputFields, filterFields } = require('../lib/post');

// Most recently changed first. The id Zapier dedupes on is `<post id>-<updated_at>`: it changes on every write,
// so each update triggers once; the post's own id is in post_id.
const perform = async (z, bundle) => {
  const posts = await listPosts(z, bundle, {
    ordering: '-updated_at,-id',
    status: bundle.inputData.status,
    type: bundle.inputData.type,
  });
  return posts.map((post) => ({ ...post, id: `${post.id}-${post.updated_at}`, post_id: post.id }));
};

module.exports = {
  key: 'updated_post',
  noun: 'Post',
  display: {
    label: 'Updated Post',
    description: 'Triggers each time a post or page is changed (created ones included).',
  },
  operation: {
    inputFields: filterFields,
    perform,
    sample: { ...sample, id: `${sample.id}-${sample.updated_at}`, post_id: sample.id },
    outputFields: [
      { key: 'id', label: 'Change ID (post ID and update time)' },
      { key: 'post_id', label: 'Post ID', type: 'integer' },
      ...outputFields.filter((field) => field.key !== 'id'),
    ],
  },
};
