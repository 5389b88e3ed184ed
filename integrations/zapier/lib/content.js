'use strict';

// Content as Zapier users have it → content_raw, an Editor.js document.

const escapeHtml = (text) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Plain text: each paragraph (separated by a blank line) becomes a paragraph block; single line breaks stay <br>.
const plainTextToEditorJs = (text) => ({
  blocks: String(text)
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => ({ type: 'paragraph', data: { text: escapeHtml(paragraph).replace(/\n/g, '<br>') } })),
});

// Editor.js JSON as text (or already an object) → the document; a readable error otherwise.
const parseEditorJs = (value, ErrorClass) => {
  let document = value;
  if (typeof value === 'string') {
    try {
      document = JSON.parse(value);
    } catch (error) {
      throw new ErrorClass(`Content is not valid Editor.js JSON (${error.message}). Choose "Plain text" to send text.`,
        'invalid_content', 400);
    }
  }
  if (!document || typeof document !== 'object' || !Array.isArray(document.blocks)) {
    throw new ErrorClass('Editor.js JSON must be an object with a "blocks" list: {"blocks": [{"type": "paragraph", ' +
      '"data": {"text": "…"}}]}', 'invalid_content', 400);
  }
  return document;
};

const contentRaw = (z, content, format) =>
  format === 'editorjs' ? parseEditorJs(content, z.errors.Error) : plainTextToEditorJs(content);

module.exports = { plainTextToEditorJs, parseEditorJs, contentRaw };
