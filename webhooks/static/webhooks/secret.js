// The show-once secret page: the Copy button copies the signing secret from its field.
"use strict";

document.getElementById("copy-secret").addEventListener("click", async () => {
  const field = document.getElementById("webhook-secret");
  const status = document.getElementById("copy-secret-status");
  try {
    await navigator.clipboard.writeText(field.value);
    status.textContent = "Copied.";
  } catch {
    // No clipboard API (plain HTTP, old browser, permission refused): let the user copy by hand.
    field.select();
    status.textContent = "Press Ctrl+C (⌘C on a Mac) to copy.";
  }
});
