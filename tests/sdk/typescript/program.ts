// A TypeScript client of PolyCMS written the way README documents the API, on the types openapi-typescript
// generates from the live schema (./schema.d.ts, written by tests/sdk/test_typescript_client.py) and openapi-fetch's
// calls. No casts: it must type-check under tsc --strict as it is. Run against a live server with POLYCMS_URL and
// POLYCMS_TOKEN (an all-abilities token); any failed expectation exits non-zero.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Post = components["schemas"]["Post"];
type Document = components["schemas"]["EditorJsDocument"];

const baseUrl = process.env.POLYCMS_URL ?? "";
const token = process.env.POLYCMS_TOKEN ?? "";
const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`expected ${what}`);
  }
}

async function createPost(title: string, content: Document): Promise<{ post: Post; etag: string }> {
  const { data, error, response } = await client.POST("/api/v1/posts", {
    body: { title, status: "draft", excerpt: "Made by the TypeScript SDK test.", content_raw: content },
  });
  if (error !== undefined) {
    throw new Error(`create ${title}: ${response.status} ${error.error.code}: ${error.error.message}`);
  }
  check(response.status === 201, "201 Created");
  check((response.headers.get("Location") ?? "").endsWith(`/api/v1/posts/${data.data.id}`), "a Location header");
  return { post: data.data, etag: response.headers.get("ETag") ?? "" };
}

async function main(): Promise<void> {
  // Who am I (GET /user): a token's request says which token.
  const me = await client.GET("/api/v1/user");
  if (me.data === undefined) {
    throw new Error(`GET /user: ${me.response.status}`);
  }
  const user = me.data.data;
  check(user.username.length > 0, "a username");
  check(user.token !== null && user.token.abilities.includes("*"), "the token with every ability");

  // Create a post with an Editor.js document as an object, and read its blocks back typed.
  const document: Document = {
    blocks: [
      { type: "header", data: { text: "Typed clients", level: 2 } },
      { type: "paragraph", data: { text: "Written with <b>openapi-fetch</b>." } },
      { type: "list", data: { style: "ordered", items: ["one", "two"] } },
    ],
  };
  const { post, etag } = await createPost("SDK typescript B", document);
  check(post.slug.startsWith("sdk-typescript-b"), `a slug from the title, not ${post.slug}`);
  check(post.content_raw.blocks.length === 3, "three blocks");
  const header = post.content_raw.blocks[0];
  check(header !== undefined && header.type === "header" && header.data.level === 2, "the header block, level 2");
  check(post.content_html.includes("<h2>Typed clients</h2>"), "the rendered header");
  check(post.published_at === null && post.status === "draft", "a draft, not published");
  check(etag.length > 0, "an ETag");

  await createPost("SDK typescript A", { blocks: [] });
  await createPost("SDK typescript A", { blocks: [] });

  // List with filters and a two-key ordering: openapi-fetch sends ?ordering=title&ordering=-id.
  const list = await client.GET("/api/v1/posts", {
    params: { query: { status: "draft", search: "SDK typescript", ordering: ["title", "-id"], per_page: 10 } },
  });
  if (list.data === undefined) {
    throw new Error(`GET /posts: ${list.response.status}`);
  }
  const titles = list.data.data.map((item) => `${item.title}#${item.id}`);
  const expected = [...list.data.data]
    .sort((a, b) => (a.title === b.title ? b.id - a.id : a.title < b.title ? -1 : 1))
    .map((item) => `${item.title}#${item.id}`);
  check(list.data.data.length === 3, "the three posts");
  check(JSON.stringify(titles) === JSON.stringify(expected), `ordered by title, then -id: ${titles.join(", ")}`);
  check(list.data.meta.per_page === 10, "per_page 10");

  // PATCH with the ETag in If-Match, sending the fetched document back as it came.
  const updated = await client.PATCH("/api/v1/posts/{id}", {
    params: { path: { id: String(post.id) }, header: { "If-Match": etag } },
    body: { title: "SDK typescript B, edited", content_raw: post.content_raw },
  });
  if (updated.data === undefined) {
    throw new Error(`PATCH: ${updated.response.status}`);
  }
  check(updated.data.data.content_raw.blocks.length === 3, "the same three blocks");
  const newEtag = updated.response.headers.get("ETag");
  check(newEtag !== null && newEtag !== etag, "a new ETag");

  // The old ETag is stale now: 412, nothing written.
  const stale = await client.PATCH("/api/v1/posts/{id}", {
    params: { path: { id: String(post.id) }, header: { "If-Match": etag } },
    body: { title: "lost update" },
  });
  check(stale.response.status === 412 && stale.error?.error.code === "precondition_failed", "412 on a stale ETag");

  // A 422: its details say where each problem is.
  const invalid = await client.POST("/api/v1/posts", {
    body: { title: "", content_raw: { blocks: [{ type: "header", data: { text: "No level", level: 9 } }] } },
  });
  check(invalid.response.status === 422, `422, not ${invalid.response.status}`);
  const problem = invalid.error?.error;
  if (problem === undefined || problem.code !== "validation_error") {
    throw new Error("expected a validation_error");
  }
  const where = Object.keys(problem.details).sort();
  check(JSON.stringify(where) === JSON.stringify(["content_raw.blocks[0].data.level", "title"]), where.join(", "));
  const messages: string[] = problem.details["title"] ?? [];
  check(messages.length > 0, "a message for title");

  console.log("typescript client: ok");
}

await main();
