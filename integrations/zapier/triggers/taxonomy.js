'use strict';

// Hidden triggers feeding the Category and Tag dropdowns of Create/Update Post (taxonomy:read).
const { apiUrl } = require('../lib/api');

const list = (path) => async (z, bundle) => {
  const page = (bundle.meta && bundle.meta.page) || 0;
  const response = await z.request({
    url: apiUrl(bundle, path),
    params: { ordering: 'name', per_page: '100', page: String(page + 1) },
  });
  return response.data.data.map(({ id, name, slug }) => ({ id, name, slug }));
};

const hidden = (key, noun, path) => ({
  key,
  noun,
  display: { label: `List ${noun}s`, description: `Lists ${noun.toLowerCase()}s for dropdowns.`, hidden: true },
  operation: {
    perform: list(path),
    canPaginate: true,
    sample: { id: 2, name: 'News', slug: 'news' },
    outputFields: [{ key: 'id', type: 'integer' }, { key: 'name' }, { key: 'slug' }],
  },
});

module.exports = {
  categoryList: hidden('category_list', 'Category', '/categories'),
  tagList: hidden('tag_list', 'Tag', '/tags'),
};
