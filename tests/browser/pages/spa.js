"use strict";
// The frontend's API client: cookies go with every call; unsafe calls carry the CSRF token, which
// the API returns in the X-CSRFToken header (this origin cannot read the API's cookies).
const API = new URLSearchParams(location.search).get("api");
let csrfToken = null;

const $ = (id) => document.getElementById(id);
const show = (text) => { $("status").textContent = text; };

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken && method !== "GET") headers["X-CSRFToken"] = csrfToken;
  const response = await fetch(`${API}/api/v1${path}`, {
    method,
    headers,
    credentials: "include",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  csrfToken = response.headers.get("X-CSRFToken") || csrfToken;
  const text = await response.text();
  const item = document.createElement("li");
  item.textContent = `${method} ${path} → ${response.status}`;
  $("log").append(item);
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function failure(result) {
  return result.body && result.body.error ? `${result.status} ${result.body.error.code}` : String(result.status);
}

async function refreshUser() {
  const me = await call("GET", "/user");
  if (me.status !== 200) {
    $("account").hidden = true;
    show(`Signed out: /api/v1/user answers ${failure(me)}`);
    return;
  }
  const user = me.body.data;
  $("whoami").textContent = `Signed in as ${user.username} (${user.roles.join(", ") || "no role"})`;
  $("account").hidden = false;
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  await call("GET", "/auth/csrf");
  const login = $("login").value;
  const result = await call("POST", "/auth/login", {
    [login.includes("@") ? "email" : "username"]: login,
    password: $("password").value,
  });
  $("password").value = "";
  if (result.status !== 200) {
    show(`Sign-in failed: ${failure(result)}`);
    return;
  }
  show(`Welcome, ${result.body.data.username}`);
  await refreshUser();
});

$("new-post").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await call("POST", "/posts", { title: $("post-title").value, status: "draft" });
  show(result.status === 201 ? `Created post #${result.body.data.id} “${result.body.data.title}”`
                             : `Post not created: ${failure(result)}`);
});

$("new-token").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await call("POST", "/tokens", { name: $("token-name").value });
  if (result.status !== 201) {
    show(`Token not created: ${failure(result)}`);
    return;
  }
  $("token-plaintext").textContent = result.body.data.token;
  show(`Created token “${result.body.data.name}” (${result.body.data.hint})`);
});

$("sign-out").addEventListener("click", async () => {
  const result = await call("POST", "/auth/logout");
  $("token-plaintext").textContent = "";  // forget secrets on the way out
  if (result.status !== 204) {
    show(`Sign-out failed: ${failure(result)}`);
    return;
  }
  await refreshUser();
});

$("origin").textContent = location.origin;
$("api").textContent = API;
