/* The admin's post editor: Editor.js over the document's JSON textarea (posts/widgets.py renders both).
 *
 * The textarea is the form field, and all the form needs without JavaScript. This script hides it, opens
 * Editor.js on the document it holds and writes the document back into it when the form is submitted;
 * "View JSON" shows the textarea again. A block the editor did not change is written back exactly as it
 * came (id, data, tunes: whatever its tool would have normalized), and a document with no change keeps its
 * time and version too, so opening a post and saving it changes nothing. The server validates every save:
 * the problems it found arrive in the configuration and are shown by their blocks.
 *
 * The widget's wrapper says where it is in data-state: "opening", "blocks" (Editor.js is ready) or "json".
 *
 * Configuration (posts.widgets.EditorJSWidget.editor_config): the style nonce for the stylesheet Editor.js
 * injects (the Content-Security-Policy refuses styles without it), the block types the server accepts, the
 * embed services and structural limits of its validator, and the problems of the last save.
 */
(() => {
  "use strict";

  // --- Tools -------------------------------------------------------------------------------------------

  /** An inline tool wrapping the selection in a bare <tag>: the server keeps u, s, code and mark without
   * attributes, so a class (as the official marker and inline-code tools add) would not survive a save. */
  function inlineTag(tag, title, label) {
    return class {
      static get isInline() {
        return true;
      }

      static get title() {
        return title;
      }

      static get sanitize() {
        return { [tag]: {} };
      }

      constructor({ api }) {
        this.api = api;
        this.button = null;
      }

      render() {
        this.button = document.createElement("button");
        this.button.type = "button";
        this.button.classList.add(this.api.styles.inlineToolButton, "post-editor__inline", `post-editor__inline--${tag}`);
        this.button.textContent = label;
        return this.button;
      }

      surround(range) {
        if (!range) return;
        const wrapper = this.api.selection.findParentTag(tag.toUpperCase());
        if (wrapper) this.unwrap(wrapper);
        else this.wrap(range);
      }

      wrap(range) {
        const element = document.createElement(tag);
        element.appendChild(range.extractContents());
        range.insertNode(element);
        this.api.selection.expandToTag(element);
      }

      unwrap(element) {
        this.api.selection.expandToTag(element);
        const selection = window.getSelection();
        const range = selection.getRangeAt(0);
        const contents = range.extractContents();
        element.remove();
        range.insertNode(contents);
        selection.removeAllRanges();
        selection.addRange(range);
      }

      checkState() {
        const active = Boolean(this.api.selection.findParentTag(tag.toUpperCase()));
        this.button.classList.toggle(this.api.styles.inlineToolButtonActive, active);
        return active;
      }
    };
  }

  /** Images from the media library (/api/v1/media): uploaded (the file button, or a file pasted or dropped), picked
   * from the library, or given by address. Keeps the data shape it was given, {"file": {"url"}} (@editorjs/image) or
   * {"url"} (simple-image); the server takes both. */
  class LibraryImage extends window.ImageTool {
    constructor(options) {
      const data = options.data || {};
      const urlShape = typeof data.url === "string" && !("file" in data);
      const { url, ...rest } = data;
      super({ ...options, data: urlShape ? { ...rest, file: { url } } : data });
      this.urlShape = urlShape;
      this.library = options.config.library;
      this.address = element("input", "post-editor__image-address", {
        type: "url",
        placeholder: "…or an image address (https://…), then Enter",
        "aria-label": "Image address",
      });
      this.address.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        event.stopPropagation(); // Enter here adds the image, not a new block
        if (this.address.value.trim()) this.uploadUrl(this.address.value.trim());
      });
      const upload = element("button", "post-editor__image-upload", { type: "button" }, "Upload an image");
      upload.addEventListener("click", () =>
        this.uploader.uploadSelectedFile({ onPreview: (src) => this.ui.showPreloader(src) }),
      );
      const pick = element("button", "post-editor__image-pick", { type: "button" }, "Choose from the library");
      pick.addEventListener("click", () => this.togglePicker());
      this.picker = element("div", "post-editor__image-picker", { hidden: "" });
      const actions = element("div", "post-editor__image-actions");
      actions.append(upload, pick);
      this.ui.nodes.fileButton.replaceChildren(actions, this.address, this.picker);
      this.ui.nodes.fileButton.classList.add("post-editor__image-source");
      this.ui.onSelectFile = () => {}; // the buttons inside do the choosing
    }

    /** The library's images, newest first, a page at a time; a click inserts one. */
    async togglePicker(next) {
      if (!next && !this.picker.hidden) {
        this.picker.hidden = true;
        return;
      }
      this.picker.hidden = false;
      if (!next) this.picker.replaceChildren(element("p", "post-editor__image-note", {}, "Loading the library…"));
      try {
        const page = await this.library.list(next);
        if (!next) this.picker.replaceChildren();
        this.picker.querySelector(".post-editor__image-more")?.remove();
        if (!page.data.length && !next) {
          const empty = "The library has no images yet: upload one.";
          this.picker.append(element("p", "post-editor__image-note", {}, empty));
        }
        for (const media of page.data) {
          const choice = element("button", "post-editor__image-choice", { type: "button", title: media.name });
          const thumbnail = media.renditions.thumbnail;
          const src = thumbnail && thumbnail.url ? thumbnail.url : media.url;
          choice.append(element("img", "", { src, alt: media.alt_text, loading: "lazy" }));
          choice.addEventListener("click", () => {
            this.picker.hidden = true;
            this.uploadUrl(media.url);
          });
          this.picker.append(choice);
        }
        if (page.links && page.links.next) {
          const more = element("button", "post-editor__image-more", { type: "button" }, "More");
          more.addEventListener("click", () => this.togglePicker(page.links.next));
          this.picker.append(more);
        }
      } catch (error) {
        this.picker.replaceChildren(element("p", "post-editor__image-note", {}, error.message));
      }
    }

    appendCallback() {
      window.requestAnimationFrame(() => this.address.focus());
    }

    /** The server's reason (the type it refused, the size limit), not the tool's generic message. */
    uploadingFailed(error) {
      const message = error && error.message ? error.message : String(error);
      this.api.notifier.show({ message: `Not uploaded: ${message}`, style: "error" });
      this.ui.hidePreloader();
    }

    validate(saved) {
      return Boolean(this.urlShape ? saved.url : saved.file && saved.file.url);
    }

    save() {
      const { file, ...rest } = super.save();
      return this.urlShape ? { url: file.url, ...rest } : { file: { url: file.url }, ...rest };
    }
  }

  /** An element with a class, attributes and text. */
  function element(tag, className, attributes = {}, text = "") {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  /** The media library's API, with the admin's session: uploads as the raw file (Content-Disposition names it)
   * with the form's CSRF token, lists of images. Errors carry the API's message. */
  function mediaLibrary(endpoint) {
    const csrfToken = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
    const answer = async (response) => {
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error((body.error && body.error.message) || `the server answered ${response.status}`);
      return body;
    };
    return {
      list: (next) =>
        fetch(next || `${endpoint}?type=image&per_page=24`, { headers: { Accept: "application/json" } }).then(answer),
      upload: (file) =>
        fetch(endpoint, {
          method: "POST",
          headers: {
            Accept: "application/json",
            "Content-Type": file.type || "application/octet-stream",
            "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.name || "image")}`,
            "X-CSRFToken": csrfToken(),
          },
          body: file,
        }).then(answer),
    };
  }

  function imageUploader(library) {
    return {
      uploadByUrl: (url) =>
        /^https?:\/\/\S+$/i.test(url)
          ? Promise.resolve({ success: 1, file: { url } })
          : Promise.reject(new Error("an image address starts with https://")),
      uploadByFile: (file) => library.upload(file).then((body) => ({ success: 1, file: { url: body.data.url } })),
    };
  }

  /** The table without its "Stretch" setting, which the server does not keep. */
  class Table extends window.Table {
    renderSettings() {
      return super.renderSettings().slice(0, 2); // with headings, without headings
    }

    save() {
      const { stretched, ...data } = super.save();
      return data;
    }
  }

  /** Embeds whose frames carry no style attribute (the Content-Security-Policy refuses inline styles; the
   * stylesheet sizes them), and imgur and GitHub gists over https, as the server requires. */
  class Embed extends window.Embed {
    static prepare(options) {
      super.prepare(options);
      for (const service of Object.values(window.Embed.services)) {
        service.html = service.html.replace(/\sstyle="[^"]*"/g, "");
      }
    }
  }

  const HTTPS_EMBEDS = {
    imgur: {
      regex: /https?:\/\/(?:i\.)?imgur\.com.*\/([a-zA-Z0-9]+)(?:\.gifv)?/,
      embedUrl: "https://imgur.com/<%= remote_id %>/embed",
      html: '<iframe allowfullscreen="true" scrolling="no" class="imgur-embed-iframe-pub"></iframe>',
      height: 500,
      width: 540,
    },
    github: {
      regex: /https?:\/\/gist.github.com\/([^/?&]*)\/([^/?&]*)/,
      embedUrl: "https://gist.github.com/<%= remote_id %>.pibb",
      html: '<iframe width="100%" height="350" frameborder="0"></iframe>',
      height: 300,
      width: 600,
      id: (groups) => groups.join("/"),
    },
  };

  const INLINE_TOOLS = ["bold", "italic", "link", "underline", "strikethrough", "inlineCode", "marker"];

  function tools(config) {
    const library = mediaLibrary(config.mediaEndpoint);
    const services = {};
    for (const service of config.embedServices) services[service] = HTTPS_EMBEDS[service] || true;
    const blocks = {
      header: { class: window.Header, inlineToolbar: true, config: { levels: [1, 2, 3, 4, 5, 6], defaultLevel: 2 } },
      list: { class: window.EditorjsList, inlineToolbar: true, config: { maxLevel: config.listMaxLevel } },
      // The list tool's checklist style is the one in the toolbox; this one opens checklist blocks from the API.
      checklist: { class: window.Checklist, inlineToolbar: true, toolbox: false },
      quote: { class: window.Quote, inlineToolbar: true },
      code: { class: window.CodeTool },
      delimiter: { class: window.Delimiter },
      image: {
        class: LibraryImage,
        config: { uploader: imageUploader(library), library, captionPlaceholder: "Caption (optional)" },
      },
      table: {
        class: Table,
        inlineToolbar: true,
        config: { rows: 2, cols: 2, maxRows: config.tableMaxRows, maxCols: config.tableMaxColumns },
      },
      embed: { class: Embed, inlineToolbar: true, config: { services } },
      warning: { class: window.Warning, inlineToolbar: true },
    };
    for (const type of Object.keys(blocks)) {
      if (!config.blockTypes.includes(type)) delete blocks[type]; // only what posts/content/blocks validates
    }
    return {
      ...blocks,
      paragraph: { inlineToolbar: true, config: { placeholder: "Write here; + adds headings, lists, images…" } },
      underline: { class: inlineTag("u", "Underline", "U"), shortcut: "CMD+U" },
      strikethrough: { class: inlineTag("s", "Strikethrough", "S"), shortcut: "CMD+SHIFT+X" },
      inlineCode: { class: inlineTag("code", "Code", "</>"), shortcut: "CMD+E" },
      marker: { class: inlineTag("mark", "Highlight", "H"), shortcut: "CMD+SHIFT+H" },
    };
  }

  // --- The document ----------------------------------------------------------------------------------------

  /** The document in `text` (blank: the empty document); an Error saying why it cannot be edited as blocks. */
  function parseDocument(text) {
    const value = text.trim() ? JSON.parse(text) : { blocks: [] };
    if (!value || typeof value !== "object" || Array.isArray(value) || !Array.isArray(value.blocks)) {
      throw new Error('an Editor.js document is an object with a "blocks" array');
    }
    const odd = value.blocks.findIndex((block) => !block || typeof block !== "object" || typeof block.type !== "string");
    if (odd !== -1) throw new Error(`block ${odd + 1} has no type`);
    return value;
  }

  /** A block as saved now by Editor.js, in the shape of the block it was opened from: no id if it had none,
   * and its tunes when Editor.js did not carry them. */
  function written(block, original) {
    const result = {};
    if (!original || "id" in original) result.id = block.id;
    result.type = block.type;
    result.data = block.data;
    const tunes = block.tunes || (original && original.tunes);
    if (tunes && Object.keys(tunes).length) result.tunes = tunes;
    return result;
  }

  const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  // --- The editor over its textarea ------------------------------------------------------------------------

  class PostEditor {
    constructor(textarea) {
      this.textarea = textarea;
      this.form = textarea.form;
      this.config = JSON.parse(document.getElementById(textarea.dataset.editorjsConfig).textContent);
      this.editor = null;
      this.opened = null; // {document, originals: Map(block id → {block, baseline})}
      this.submitting = false;
      this.saving = false;

      this.toggle = document.createElement("button");
      this.toggle.type = "button";
      this.toggle.className = "button post-editor__toggle";
      this.toggle.setAttribute("aria-controls", textarea.id);
      this.status = document.createElement("p");
      this.status.className = "post-editor__status";
      this.status.setAttribute("role", "status");
      const bar = document.createElement("div");
      bar.className = "post-editor__bar";
      bar.append(this.toggle, this.status);
      this.wrapper = textarea.closest(".post-editor") || textarea.parentElement;
      this.holder = document.createElement("div");
      this.holder.className = "post-editor__blocks";
      this.holder.id = `${textarea.id}_blocks`;
      textarea.before(bar, this.holder);

      this.toggle.addEventListener("click", () => (this.editor ? this.openJson() : this.openBlocks([])));
      this.form.addEventListener("submit", (event) => this.submit(event));
      this.openBlocks(this.config.problems);
    }

    async openBlocks(problems) {
      let opened;
      try {
        opened = parseDocument(this.textarea.value);
      } catch (error) {
        this.showJson(`This content cannot be shown as blocks (${error.message}): edit it as JSON.`);
        return;
      }
      this.showBlocks();
      const editor = new window.EditorJS({
        holder: this.holder,
        data: { blocks: structuredClone(opened.blocks) }, // tools may change the data they are given
        tools: tools(this.config),
        inlineToolbar: INLINE_TOOLS,
        style: { nonce: this.config.styleNonce },
        minHeight: 80,
      });
      try {
        await editor.isReady;
        if (opened.blocks.length && editor.blocks.getBlocksCount() !== opened.blocks.length) {
          throw new Error("some blocks could not be shown");
        }
        // What the tools write for the blocks as opened: a block that still writes this is unchanged.
        const baseline = new Map((await editor.save()).blocks.map((block) => [block.id, block]));
        const originals = new Map();
        opened.blocks.forEach((block, index) => {
          const { id } = editor.blocks.getBlockByIndex(index);
          originals.set(id, { block, baseline: baseline.get(id) });
        });
        this.editor = editor;
        this.opened = { document: opened, originals };
        this.wrapper.dataset.state = "blocks";
      } catch (error) {
        editor.destroy();
        this.showJson(`This content cannot be shown as blocks (${error.message}): edit it as JSON.`);
        return;
      }
      this.showProblems(problems);
    }

    /** The document as the editor holds it now. */
    async documentNow() {
      const { document: opened, originals } = this.opened;
      const saved = await this.editor.save();
      const now = new Map(saved.blocks.map((block) => [block.id, block]));
      const blocks = [];
      for (let index = 0; index < this.editor.blocks.getBlocksCount(); index += 1) {
        const { id } = this.editor.blocks.getBlockByIndex(index);
        const original = originals.get(id);
        if (original && sameJson(now.get(id), original.baseline)) blocks.push(original.block);
        else if (now.has(id)) blocks.push(written(now.get(id), original && original.block));
      }
      const unchanged = blocks.length === opened.blocks.length && blocks.every((block, i) => block === opened.blocks[i]);
      return unchanged ? opened : { time: saved.time, blocks, version: saved.version };
    }

    async openJson() {
      try {
        this.textarea.value = JSON.stringify(await this.documentNow(), null, 2);
      } catch (error) {
        this.say(`The blocks could not be turned into JSON (${error.message}).`);
        return;
      }
      this.close();
      this.showJson("");
      this.textarea.focus();
    }

    async submit(event) {
      if (this.submitting || !this.editor) return; // as JSON (or still opening), the textarea is what is sent
      event.preventDefault();
      if (this.saving) return; // a second click while the first is being read
      this.saving = true;
      try {
        this.textarea.value = JSON.stringify(await this.documentNow(), null, 2);
      } catch (error) {
        this.say(`The blocks could not be read (${error.message}); nothing was sent. View JSON to see them.`);
        return;
      } finally {
        this.saving = false;
      }
      // In a task of its own: this may still run inside the dispatch of the submit event (its promises can
      // settle at the listener's microtask checkpoint), where browsers ignore a new submission.
      window.setTimeout(() => {
        this.submitting = true;
        try {
          this.form.requestSubmit(event.submitter || undefined);
        } finally {
          this.submitting = false;
        }
      });
    }

    close() {
      this.editor.destroy();
      this.editor = null;
      this.opened = null;
    }

    showBlocks() {
      this.wrapper.dataset.state = "opening";
      this.textarea.hidden = true;
      this.holder.hidden = false;
      this.toggle.textContent = "View JSON";
      this.toggle.setAttribute("aria-pressed", "false");
      this.say("");
    }

    showJson(message) {
      this.wrapper.dataset.state = "json";
      this.holder.hidden = true;
      this.textarea.hidden = false;
      this.toggle.textContent = "Edit as blocks";
      this.toggle.setAttribute("aria-pressed", "true");
      this.say(message);
    }

    say(message) {
      this.status.textContent = message;
    }

    /** Each problem of the last save below its block. Editor.js ignores changes inside data-mutation-free. */
    showProblems(problems) {
      for (const { block, message } of problems) {
        const found = this.editor.blocks.getBlockByIndex(block);
        if (!found) continue;
        let list = found.holder.querySelector(".post-editor__problems");
        if (!list) {
          list = document.createElement("ul");
          list.className = "errorlist post-editor__problems";
          list.dataset.mutationFree = "true";
          list.contentEditable = "false";
          found.holder.classList.add("post-editor__block--invalid");
          found.holder.append(list);
        }
        const item = document.createElement("li");
        item.textContent = message;
        list.append(item);
      }
    }
  }

  function setUp() {
    for (const textarea of document.querySelectorAll("textarea[data-editorjs-config]")) new PostEditor(textarea);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
