'use strict';

const { siteUrl, apiUrl } = require('./lib/api');

// GET /api/v1/user: the token's owner and the token itself (README "Personal access tokens").
const test = async (z, bundle) => {
  const response = await z.request({ url: apiUrl(bundle, '/user') });
  const user = response.data.data;
  return { ...user, site_host: new URL(siteUrl(bundle.authData.site_url)).host };
};

module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'site_url',
      label: 'Site URL',
      required: true,
      type: 'string',
      helpText:
        'The address of your PolyCMS site, e.g. `https://cms.example.com` (the API is under `/api/v1`). ' +
        'It must use https (http only for `http://localhost` or `http://127.0.0.1`).',
    },
    {
      key: 'token',
      label: 'Personal Access Token',
      required: true,
      type: 'password',
      helpText:
        'Create one in your site\'s admin under **API access → API tokens → Create New Token** (name it e.g. ' +
        '"Zapier"), or with `POST /api/v1/tokens`, or `manage.py createtoken`. It is shown once (`pcms_…`). ' +
        'Abilities the Zaps need: `user:read` (connecting), `posts:read` (triggers, Find Post), ' +
        '`posts:write` (Create/Update Post), `webhooks:write` (the instant Post Published trigger), ' +
        '`taxonomy:read` (category and tag lists) — or `*` for all of them. The token acts with your own ' +
        'permissions: only an Author or Editor can publish.',
    },
  ],
  test,
  connectionLabel: (z, bundle) => `${bundle.inputData.username} @ ${bundle.inputData.site_host}`,
};
