'use strict';

const { apiUrl } = require('../lib/api');
const { sample, outputFields } = require('../lib/post');

const perform = async (z, bundle) => {
  const { slug, title } = bundle.inputData;
  if (slug) {
    const response = await z.request({
      url: apiUrl(bundle, `/posts/${encodeURIComponent(String(slug).trim())}`),
      skipThrowForStatus: true,
    });
    if (response.status === 404) return [];
    response.throwForStatus();
    const post = response.data.data;
    return post.slug === String(slug).trim() ? [post] : []; // an all-digit "slug" is read as an id
  }
  if (!title) throw new z.errors.Error('Give a slug or a title to look for.', 'missing_input', 400);
  const wanted = String(title).trim().toLowerCase();
  const response = await z.request({
    url: apiUrl(bundle, '/posts'),
    params: { search: String(title).trim(), ordering: '-created_at,-id', per_page: '100' },
  });
  const matches = response.data.data.filter((post) => post.title.trim().toLowerCase() === wanted);
  if (!matches.length) return [];
  // The list leaves the content out: return the newest match whole, as by slug.
  const item = await z.request({ url: apiUrl(bundle, `/posts/${matches[0].id}`) });
  return [item.data.data];
};

module.exports = {
  key: 'find_post',
  noun: 'Post',
  display: {
    label: 'Find Post',
    description: 'Finds a post or page by its slug, or by its exact title (the newest one when several match).',
  },
  operation: {
    inputFields: [
      { key: 'slug', label: 'Slug', required: false, helpText: 'Looked up first when given.' },
      { key: 'title', label: 'Title', required: false, helpText: 'The exact title (case does not matter).' },
    ],
    perform,
    sample,
    outputFields,
  },
};
