// Copies the Editor.js builds installed in NODE_MODULES (argv[2]) into OUT (argv[3]), one .js per package,
// with each package's licence, and writes VERSIONS.txt. Run by vendor.sh; see there.
//
// Why not copy the files as they are: the admin's Content-Security-Policy (script-src 'self'; style-src 'self' +
// nonce) refuses what some of their code does at run time, so it is changed here, each change checked:
// - every package build starts by injecting its CSS as a <style> element without a nonce
//   (vite-plugin-css-injected-by-js): that injection is cut out and its CSS written to a .css beside the .js;
// - PATCHES: literal replacements for the rest, each of which must match exactly once, so an update that
//   changes the code stops here instead of shipping a patch that no longer applies;
// - EMBEDDED_CSS: the CSS of libraries bundled in a build that injected it themselves (stopped by PATCHES), moved
//   to the .css too.
// The core's main stylesheet is left alone: Editor.js injects it with the nonce given as its `style.nonce` option.

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

// Package → [build file inside the package, name of the vendored files].
const PACKAGES = {
  "@editorjs/editorjs": ["dist/editorjs.umd.js", "editorjs"],
  "@editorjs/header": ["dist/header.umd.js", "header"],
  "@editorjs/list": ["dist/editorjs-list.umd.js", "list"],
  "@editorjs/checklist": ["dist/checklist.umd.js", "checklist"],
  "@editorjs/quote": ["dist/quote.umd.js", "quote"],
  "@editorjs/code": ["dist/code.umd.js", "code"],
  "@editorjs/delimiter": ["dist/delimiter.umd.js", "delimiter"],
  "@editorjs/image": ["dist/image.umd.js", "image"],
  "@editorjs/table": ["dist/table.umd.js", "table"],
  "@editorjs/embed": ["dist/embed.umd.js", "embed"],
  "@editorjs/warning": ["dist/warning.umd.js", "warning"],
};
const PATCHES = {
  "@editorjs/editorjs": [
    // codex-notifier, bundled: its style-loader would inject a <style>; a transform returning nothing skips it.
    ["var r={hmr:!0,transform:void 0,insertInto:void 0};", 'var r={hmr:!0,transform:()=>"",insertInto:void 0};'],
    // codex-tooltip, bundled: loadStyles() would prepend a <style>.
    ['loadStyles(){const a="codex-tooltips-style";if(document.getElementById(a))return;', 'loadStyles(){return;'],
  ],
  "@editorjs/image": [
    // Its bundled ajax helper finds the global object with new Function(), an eval that script-src refuses.
    ['r=r||new Function("return this")()', "r=r||globalThis"],
  ],
};
const EMBEDDED_CSS = {
  "@editorjs/editorjs": [
    /\.push\(\[t\.i,`(\.cdx-notify[^`$]*)`,""\]\)/g, // codex-notifier, as css-loader exports it
    /t\.exports=`(\.ct\{[^`$]*)`/g, // codex-tooltip
  ],
};
const LICENCE_FILES = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"];
// One injection as the plugin writes it: a self-contained IIFE that ends by logging the plugin's name.
const INJECTION =
  /\(function\(\)\{(?:var \w+;)?(?:"use strict";)?try\{if\(typeof document<"u"\)\{.*?console\.error\("vite-plugin-css-injected-by-js",\w+\)\}\}\)\(\);/gs;

const [nodeModules, out] = process.argv.slice(2);
if (!nodeModules || !out) {
  console.error("usage: node vendor.mjs NODE_MODULES OUT");
  process.exit(2);
}

/** The CSS an injection would add, found by running it against a stand-in document. */
function injectedCss(code) {
  const texts = [];
  const element = { appendChild() {}, setAttribute() {} };
  const document = {
    createElement: () => element,
    createTextNode: (text) => texts.push(text),
    head: { appendChild() {}, querySelector: () => null },
  };
  vm.runInNewContext(code, { document, console });
  if (texts.length !== 1) throw new Error(`expected one stylesheet in an injection, found ${texts.length}`);
  return texts[0];
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, "licenses"), { recursive: true });
const versions = [];
for (const [name, [build, vendored]] of Object.entries(PACKAGES)) {
  const root = path.join(nodeModules, name);
  const { version, license } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const source = fs.readFileSync(path.join(root, build), "utf8");
  const styles = [];
  let script = source.replace(INJECTION, (injection) => {
    styles.push(injectedCss(injection));
    return "";
  });
  if (!styles.length) throw new Error(`${name}: no injected stylesheet found; check the build format`);
  for (const pattern of EMBEDDED_CSS[name] || []) {
    const found = [...script.matchAll(pattern)];
    if (found.length !== 1) throw new Error(`${name}: ${pattern} matches ${found.length} times, not once`);
    styles.push(found[0][1]);
  }
  for (const [before, after] of PATCHES[name] || []) {
    const count = script.split(before).length - 1;
    if (count !== 1) throw new Error(`${name}: patch target found ${count} times, not once: ${before}`);
    script = script.replace(before, () => after);
  }
  const banner = `/* ${name} ${version} (${license}), ${build} from npm, vendored by tools/editorjs/vendor.sh:`;
  fs.writeFileSync(
    path.join(out, `${vendored}.js`),
    `${banner} its injected CSS is in ${vendored}.css${PATCHES[name] ? ", and it is patched" : ""}. */\n${script.trimStart()}`,
  );
  fs.writeFileSync(path.join(out, `${vendored}.css`), `${banner} the CSS its build injected. */\n${styles.join("\n")}\n`);

  const licence = LICENCE_FILES.map((file) => path.join(root, file)).find((file) => fs.existsSync(file));
  if (!licence) throw new Error(`${name}: no licence file in the package`);
  fs.copyFileSync(licence, path.join(out, "licenses", `${vendored}.LICENSE.txt`));
  const bundled = path.join(root, "dist", "vendor.LICENSE.txt"); // the licences of what the build bundles
  if (fs.existsSync(bundled)) fs.copyFileSync(bundled, path.join(out, "licenses", `${vendored}.bundled.LICENSE.txt`));
  versions.push(`${name} ${version} ${license}`);
}
fs.writeFileSync(
  path.join(out, "VERSIONS.txt"),
  `# Vendored by tools/editorjs/vendor.sh from tools/editorjs/package-lock.json; do not edit.\n${versions.join("\n")}\n`,
);
console.log(versions.join("\n"));
