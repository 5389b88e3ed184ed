'use strict';

// A post as the API returns it: the sample and output fields every trigger, action and search declares.

const sample = {
  id: 42,
  type: 'post',
  title: 'Hello from PolyCMS',
  slug: 'hello-from-polycms',
  excerpt: 'A first post.',
  content_raw: { blocks: [{ id: 'a1b2c3', type: 'paragraph', data: { text: 'Created via REST!' } }] },
  content_html: '<p>Created via REST!</p>',
  status: 'published',
  published_at: '2026-11-27T21:22:24.123456Z',
  featured_media: null,
  author: { id: 3, username: 'ann', name: 'Ann Smith' },
  categories: [{ id: 2, name: 'News', slug: 'news' }],
  tags: [{ id: 5, name: 'Python', slug: 'python' }],
  meta_title: '',
  meta_description: '',
  created_at: '2026-11-27T21:20:01.000000Z',
  updated_at: '2026-11-27T21:22:24.123456Z',
};

const outputFields = [
  { key: 'id', label: 'Post ID', type: 'integer' },
  { key: 'type', label: 'Type (post or page)' },
  { key: 'title', label: 'Title' },
  { key: 'slug', label: 'Slug' },
  { key: 'excerpt', label: 'Excerpt' },
  { key: 'content_html', label: 'Content (HTML)' },
  { key: 'status', label: 'Status' },
  { key: 'published_at', label: 'Published At', type: 'datetime' },
  { key: 'featured_media__id', label: 'Featured Image ID', type: 'integer' },
  { key: 'featured_media__url', label: 'Featured Image URL' },
  { key: 'featured_media__alt_text', label: 'Featured Image Alt Text' },
  { key: 'author__id', label: 'Author ID', type: 'integer' },
  { key: 'author__username', label: 'Author Username' },
  { key: 'author__name', label: 'Author Name' },
  { key: 'categories[]name', label: 'Category Names' },
  { key: 'categories[]slug', label: 'Category Slugs' },
  { key: 'tags[]name', label: 'Tag Names' },
  { key: 'tags[]slug', label: 'Tag Slugs' },
  { key: 'meta_title', label: 'Meta Title' },
  { key: 'meta_description', label: 'Meta Description' },
  { key: 'created_at', label: 'Created At', type: 'datetime' },
  { key: 'updated_at', label: 'Updated At', type: 'datetime' },
];

const STATUS_CHOICES = { draft: 'Draft', published: 'Published', archived: 'Archived' };
const TYPE_CHOICES = { post: 'Post', page: 'Page' };

// The status/type filters of the triggers.
const filterFields = [
  { key: 'status', label: 'Status', choices: STATUS_CHOICES, required: false,
    helpText: 'Only posts with this status. Leave empty for every post the token may read.' },
  { key: 'type', label: 'Type', choices: TYPE_CHOICES, required: false, helpText: 'Only posts, or only pages.' },
];

module.exports = { sample, outputFields, filterFields, STATUS_CHOICES, TYPE_CHOICES };
