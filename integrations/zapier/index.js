'use strict';

// PolyCMS for Zapier: a private integration each self-hosted site's users connect with their site URL and a
// personal access token (README.md here; the API: the repository's README).

const { version: platformVersion } = require('zapier-platform-core');
const { version } = require('./package.json');
const authentication = require('./authentication');
const { siteUrl, describeError, parse } = require('./lib/api');
const newPost = require('./triggers/new_post');
const updatedPost = require('./triggers/updated_post');
const postPublished = require('./triggers/post_published');
const { categoryList, tagList } = require('./triggers/taxonomy');
const createPost = require('./creates/create_post');
const updatePost = require('./creates/update_post');
const findPost = require('./searches/find_post');

// Every request: the bearer token, JSON, and only to the connected site (its URL validated first).
const addAuth = (request, z, bundle) => {
  if (bundle.authData && bundle.authData.site_url) {
    try {
      siteUrl(bundle.authData.site_url);
    } catch (error) {
      throw new z.errors.Error(error.message, 'invalid_site_url', 400);
    }
  }
  if (bundle.authData && bundle.authData.token) {
    request.headers.Authorization = `Bearer ${String(bundle.authData.token).trim()}`;
  }
  request.headers.Accept = 'application/json';
  return request;
};

// API errors as Zapier errors: a 401 asks the user to reconnect, with the API's reason (revoked, expired,
// invalid, inactive); other 4xx/5xx say the API's message and each field's messages (422: content_raw.blocks[3]…).
const handleErrors = (response, z) => {
  if (response.status === 401) {
    const content = parse(response);
    const reason = content && content.error && content.error.details ? content.error.details.reason : undefined;
    const message = `${describeError(content, 401)}${reason ? ` (token ${reason})` : ''} ` +
      'Reconnect PolyCMS with a valid personal access token.';
    throw new z.errors.ExpiredAuthError(message);
  }
  if (response.status >= 400 && !response.skipThrowForStatus) {
    const content = parse(response);
    const code = content && content.error ? content.error.code : `http_${response.status}`;
    throw new z.errors.Error(describeError(content, response.status), code, response.status);
  }
  return response;
};

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addAuth],
  afterResponse: [handleErrors],
  triggers: {
    [newPost.key]: newPost,
    [updatedPost.key]: updatedPost,
    [postPublished.key]: {
      key: postPublished.key,
      noun: postPublished.noun,
      display: postPublished.display,
      operation: postPublished.operation,
    },
    [categoryList.key]: categoryList,
    [tagList.key]: tagList,
  },
  creates: { [createPost.key]: createPost, [updatePost.key]: updatePost },
  searches: { [findPost.key]: findPost },
  searchOrCreates: {
    [findPost.key]: {
      key: findPost.key,
      display: { label: 'Find or Create Post', description: 'Finds a post by slug or title; creates it if none.' },
      search: findPost.key,
      create: createPost.key,
    },
  },
};
