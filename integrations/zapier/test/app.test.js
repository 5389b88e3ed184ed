'use strict';

// The app against a real PolyCMS (tests/integrations/test_zapier.py starts it, with a worker, and sets
// POLYCMS_URL, POLYCMS_TOKEN — all abilities — and POLYCMS_REVOKED_TOKEN). Run alone: `npm test` with those set.

const assert = require('node:assert/strict');
const http = require('node:http');
const { after, before, describe, test } = require('node:test');
const zapier = require('zapier-platform-core');
const { validateAppDefinition } = require('zapier-platform-schema');
// What `zapier validate` / `zapier push` check offline: core's compiled app against zapier-platform-schema.
const { compileApp, validateApp, serializeApp } = require('zapier-platform-core/src/tools/schema');
const App = require('../index');
const { siteUrl } = require('../lib/api');
const { plainTextToEditorJs } = require('../lib/content');
const { verifySignature } = require('../triggers/post_published');

const appTester = zapier.createAppTester(App);
const URL_ = process.env.POLYCMS_URL;
const TOKEN = process.env.POLYCMS_TOKEN;
const REVOKED = process.env.POLYCMS_REVOKED_TOKEN;
const live = URL_ && TOKEN && REVOKED ? {} : { skip: 'POLYCMS_URL, POLYCMS_TOKEN and POLYCMS_REVOKED_TOKEN not set' };
const authData = { site_url: URL_, token: TOKEN };
const run = Date.now().toString(36); // titles unique to this run

const bundle = (inputData = {}, extra = {}) => ({ authData, inputData, meta: { zap: { id: 'zap-1' } }, ...extra });
const ops = App.triggers;

const api = async (method, path, body) => {
  const response = await fetch(`${URL_}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: response.status === 204 ? null : await response.json() };
};

describe('the app definition', () => {
  test('validates against the Zapier schema (zapier-platform-schema), as core compiles it', () => {
    assert.deepEqual(validateApp(compileApp(App)), []);
    const { errors } = validateAppDefinition(serializeApp(compileApp(App)));
    assert.deepEqual(errors.map((error) => error.stack), []);
    assert.equal(App.platformVersion, zapier.version);
  });

  test('every visible trigger, create and search declares sample data and output fields', () => {
    for (const group of ['triggers', 'creates', 'searches']) {
      for (const [key, action] of Object.entries(App[group])) {
        assert.ok(action.operation.sample && action.operation.sample.id !== undefined, `${group}.${key} sample`);
        assert.ok(action.operation.outputFields.length > 0, `${group}.${key} outputFields`);
      }
    }
    const token = App.authentication.fields.find((field) => field.key === 'token');
    assert.equal(token.type, 'password');
    assert.match(token.helpText, /API tokens/);
    assert.match(token.helpText, /POST \/api\/v1\/tokens/);
    for (const ability of ['posts:read', 'posts:write', 'webhooks:write', 'user:read']) {
      assert.ok(token.helpText.includes(ability), ability);
    }
  });

  test('the site URL: https, or http on localhost / 127.0.0.1 only', () => {
    assert.equal(siteUrl('https://cms.example.com/'), 'https://cms.example.com');
    assert.equal(siteUrl('cms.example.com'), 'https://cms.example.com');
    assert.equal(siteUrl('https://example.com/cms/api/v1/'), 'https://example.com/cms');
    assert.equal(siteUrl('http://localhost:8000'), 'http://localhost:8000');
    assert.equal(siteUrl('http://127.0.0.1:8000'), 'http://127.0.0.1:8000');
    assert.throws(() => siteUrl('http://cms.example.com'), /must start with https/);
    assert.throws(() => siteUrl('http://10.0.0.5'), /must start with https/);
    assert.throws(() => siteUrl('https://user:pw@cms.example.com'), /must not carry/);
    assert.throws(() => siteUrl('https://'), /not a URL/);
  });

  test('plain text: one Editor.js paragraph per paragraph, escaped', () => {
    assert.deepEqual(plainTextToEditorJs('One\nline two\r\n\r\n\n Two & <b>  \n\n'), {
      blocks: [
        { type: 'paragraph', data: { text: 'One<br>line two' } },
        { type: 'paragraph', data: { text: 'Two &amp; &lt;b&gt;' } },
      ],
    });
  });
});

describe('against the live server', live, () => {
  test('authentication: the test call, the connection label', async () => {
    const user = await appTester(App.authentication.test, bundle());
    assert.equal(user.username, 'zapier-admin');
    const label = await appTester(App.authentication.connectionLabel, { authData, inputData: user });
    assert.equal(label, `zapier-admin @ ${new URL(URL_).host}`);
  });

  test('a revoked token: an auth error with the API\'s own message, asking to reconnect', async () => {
    await assert.rejects(appTester(App.authentication.test, { authData: { site_url: URL_, token: REVOKED } }),
      (error) => {
        assert.equal(error.name, 'ExpiredAuthError');
        assert.match(error.message, /revoked/i);
        assert.match(error.message, /Reconnect/);
        return true;
      });
    await assert.rejects(appTester(ops.new_post.operation.perform, { authData: { site_url: URL_, token: 'pcms_x' },
      inputData: {} }), { name: 'ExpiredAuthError' });
  });

  test('a site URL over plain http elsewhere is refused before any request', async () => {
    await assert.rejects(appTester(App.authentication.test,
      { authData: { site_url: 'http://cms.example.com', token: TOKEN } }), /must start with https/);
  });

  let first;
  let second;
  test('Create Post: plain text → paragraphs; Editor.js JSON as given', async () => {
    first = await appTester(App.creates.create_post.operation.perform, bundle({
      title: `Zap one ${run}`, content: 'First paragraph.\n\nSecond <one>.', content_format: 'text',
      excerpt: 'An excerpt', status: 'draft',
    }));
    assert.equal(first.title, `Zap one ${run}`);
    assert.equal(first.status, 'draft');
    assert.equal(first.excerpt, 'An excerpt');
    assert.deepEqual(first.content_raw.blocks.map((block) => [block.type, block.data.text]),
      [['paragraph', 'First paragraph.'], ['paragraph', 'Second &lt;one&gt;.']]);
    const document = { blocks: [{ type: 'header', data: { text: 'Hi', level: 2 } },
      { type: 'paragraph', data: { text: 'From <b>JSON</b>' } }] };
    second = await appTester(App.creates.create_post.operation.perform, bundle({
      title: `Zap two ${run}`, slug: `zap-two-${run}`, content: JSON.stringify(document), content_format: 'editorjs',
      type: 'page',
    }));
    assert.equal(second.slug, `zap-two-${run}`);
    assert.equal(second.type, 'page');
    assert.deepEqual(second.content_raw.blocks.map((block) => block.type), ['header', 'paragraph']);
    assert.match(second.content_html, /<h2>Hi<\/h2>/);
  });

  test('Create Post: a Zapier retry (same step, same inputs) creates no duplicate', async () => {
    const input = { title: `Retried ${run}`, content: 'Once only.' };
    const one = await appTester(App.creates.create_post.operation.perform, bundle({ ...input }));
    const again = await appTester(App.creates.create_post.operation.perform, bundle({ ...input }));
    assert.equal(again.id, one.id);
    assert.equal(again.slug, one.slug);
    const found = await api('GET', `/posts?search=${encodeURIComponent(`Retried ${run}`)}`);
    assert.equal(found.json.data.filter((post) => post.title === `Retried ${run}`).length, 1);
  });

  test('API errors: the message and the field paths', async () => {
    await assert.rejects(appTester(App.creates.create_post.operation.perform, bundle({
      title: `Bad ${run}`, content: '{"blocks": [{"type": "header", "data": {"text": "x", "level": 9}}]}',
      content_format: 'editorjs',
    })), (error) => {
      assert.equal(error.name, 'AppError');
      const { message, code, status } = JSON.parse(error.message);
      assert.equal(status, 422);
      assert.equal(code, 'validation_error');
      assert.match(message, /content_raw\.blocks\[0\]/);
      return true;
    });
    await assert.rejects(appTester(App.creates.create_post.operation.perform, bundle({
      title: `Bad ${run}`, content: 'not json', content_format: 'editorjs' })), /not valid Editor\.js JSON/);
    await assert.rejects(appTester(App.creates.update_post.operation.perform, bundle({
      post_id: first.id, slug: `zap-two-${run}` })), /slug: This slug is already in use/);
  });

  test('New Post: newest first, with ids, filters by status and type', async () => {
    const posts = await appTester(ops.new_post.operation.perform, bundle());
    assert.ok(posts.length >= 3);
    const ids = posts.map((post) => post.id);
    assert.ok(ids.includes(first.id) && ids.includes(second.id));
    assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), 'newest first');
    const times = posts.map((post) => Date.parse(post.created_at));
    for (let i = 1; i < times.length; i += 1) assert.ok(times[i - 1] >= times[i], 'newest first');
    assert.ok(posts.every((post) => Number.isInteger(post.id) && post.content_raw && post.author.username));
    const pages = await appTester(ops.new_post.operation.perform, bundle({ type: 'page' }));
    assert.deepEqual(pages.map((post) => post.id), [second.id]);
    const drafts = await appTester(ops.new_post.operation.perform, bundle({ status: 'draft', type: 'post' }));
    assert.ok(drafts.every((post) => post.status === 'draft' && post.type === 'post'));
    // The sample shows what a post has (the posts of a newer server may have more).
    for (const key of Object.keys(ops.new_post.operation.sample)) assert.ok(key in posts[0], key);
    assert.deepEqual(posts.find((post) => post.id === first.id), (await api('GET', `/posts/${first.id}`)).json.data);
  });

  test('Update Post and Updated Post: a new dedupe id per update', async () => {
    const before_ = await appTester(ops.updated_post.operation.perform, bundle());
    const old = before_.find((post) => post.post_id === first.id);
    assert.equal(old.id, `${first.id}-${first.updated_at}`);
    const updated = await appTester(App.creates.update_post.operation.perform, bundle({
      post_id: String(first.id), title: `Zap one edited ${run}`, content: 'Rewritten.' }));
    assert.equal(updated.title, `Zap one edited ${run}`);
    assert.equal(updated.excerpt, 'An excerpt'); // PATCH: the rest stays
    assert.deepEqual(updated.content_raw.blocks.map((block) => block.data.text), ['Rewritten.']);
    const after_ = await appTester(ops.updated_post.operation.perform, bundle());
    assert.equal(after_[0].post_id, first.id, 'the latest change first');
    assert.equal(after_[0].id, `${first.id}-${updated.updated_at}`);
    assert.notEqual(after_[0].id, old.id);
  });

  test('Find Post: by slug and by title, [] when nothing matches', async () => {
    const bySlug = await appTester(App.searches.find_post.operation.perform, bundle({ slug: `zap-two-${run}` }));
    assert.deepEqual(bySlug.map((post) => post.id), [second.id]);
    assert.equal(bySlug[0].content_raw.blocks.length, 2);
    const byTitle = await appTester(App.searches.find_post.operation.perform,
      bundle({ title: `zap ONE edited ${run}` }));
    assert.deepEqual(byTitle.map((post) => post.id), [first.id]);
    assert.ok(byTitle[0].content_html);
    assert.deepEqual(await appTester(App.searches.find_post.operation.perform, bundle({ slug: `nope-${run}` })), []);
    assert.deepEqual(await appTester(App.searches.find_post.operation.perform, bundle({ title: `Nope ${run}` })), []);
    assert.equal(App.searchOrCreates.find_post.create, 'create_post');
  });

  test('category and tag dropdowns', async () => {
    assert.equal((await api('POST', '/categories', { name: `News ${run}` })).status, 201);
    assert.equal((await api('POST', '/tags', { name: `Tag ${run}` })).status, 201);
    const categories = await appTester(ops.category_list.operation.perform, bundle());
    const tags = await appTester(ops.tag_list.operation.perform, bundle());
    const category = categories.find((item) => item.name === `News ${run}`);
    const tag = tags.find((item) => item.name === `Tag ${run}`);
    assert.ok(category && tag);
    const post = await appTester(App.creates.update_post.operation.perform, bundle({
      post_id: second.id, categories: [String(category.id)], tags: [tag.slug] }));
    assert.deepEqual(post.categories.map((item) => item.id), [category.id]);
    assert.deepEqual(post.tags.map((item) => item.id), [tag.id]);
  });

  describe('Post Published (REST hook)', () => {
    let receiver;
    let targetUrl;
    const deliveries = [];
    const waiters = [];
    before(async () => {
      receiver = http.createServer((request, response) => {
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
          deliveries.push({ headers: request.headers, content: Buffer.concat(chunks).toString('utf8') });
          response.writeHead(200).end('ok');
          waiters.splice(0).forEach((wake) => wake());
        });
      });
      await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      targetUrl = `http://127.0.0.1:${receiver.address().port}/hooks/standard/1/abc/`;
    });
    after(() => receiver.close());

    const delivery = async (predicate, seconds = 40) => {
      const deadline = Date.now() + seconds * 1000;
      for (;;) {
        const found = deliveries.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no delivery within ${seconds} s (${deliveries.length} received)`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 500); });
      }
    };

    test('subscribe → a post published → a signed delivery → perform gives the post → unsubscribe', async () => {
      const subscribeData = await appTester(ops.post_published.operation.performSubscribe,
        bundle({}, { targetUrl }));
      assert.ok(subscribeData.id);
      assert.match(subscribeData.secret, /^whsec_/);
      assert.deepEqual(subscribeData.events, ['post.published']);

      const published = await appTester(App.creates.update_post.operation.perform, bundle({
        post_id: first.id, status: 'published' }));
      assert.equal(published.status, 'published');
      const received = await delivery((item) => JSON.parse(item.content).data.id === first.id);
      assert.ok(received.headers['webhook-id'] && received.headers['webhook-signature']);
      const cleanedRequest = JSON.parse(received.content);
      assert.equal(cleanedRequest.type, 'post.published');

      const hookBundle = { ...bundle({}), subscribeData, cleanedRequest, rawRequest: received, targetUrl };
      const posts = await appTester(ops.post_published.operation.perform, hookBundle);
      assert.equal(posts.length, 1);
      assert.equal(posts[0].id, first.id);
      assert.equal(posts[0].status, 'published');
      assert.deepEqual(posts[0], (await api('GET', `/posts/${first.id}`)).json.data);
      // The same shape as the sample list the Zap editor shows.
      const listed = await appTester(ops.post_published.operation.performList, bundle());
      assert.equal(listed[0].id, first.id);
      assert.deepEqual(Object.keys(listed[0]).sort(), Object.keys(posts[0]).sort());
      // Filters, and a body PolyCMS did not sign.
      assert.deepEqual(await appTester(ops.post_published.operation.perform,
        { ...hookBundle, inputData: { type: 'page' } }), []);
      const forged = { ...received, content: received.content.replace(`Zap one edited ${run}`, 'Forged') };
      await assert.rejects(appTester(ops.post_published.operation.perform, { ...hookBundle, rawRequest: forged }),
        /did not sign/);
      assert.equal(verifySignature(subscribeData.secret, received), null);
      assert.match(verifySignature(subscribeData.secret, received, Date.now() + 600000), /timestamp/);

      const gone = await appTester(ops.post_published.operation.performUnsubscribe,
        bundle({}, { subscribeData, targetUrl }));
      assert.equal(gone.status, 204);
      assert.equal((await api('GET', `/hooks/${subscribeData.id}`)).status, 404);
    });
  });
});
