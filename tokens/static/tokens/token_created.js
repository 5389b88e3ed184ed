// The show-once token page: the Copy button copies the new token from its field.
"use strict";

document.getElementById("copy-token").addEventListener("click", async () => {
  const field = document.getElementById("new-token");
  const status = document.getElementById("copy-token-status");
  try {
    await navigator.clipboard.writeText(field.value);
    status.textContent = "Copied.";
  } catch {
    // No clipboard API (plain HTTP, old browser, permission refused): let the user copy by hand.
    field.select();
    status.textContent = "Press Ctrl+C (⌘C on a Mac) to copy.";
  }
});
