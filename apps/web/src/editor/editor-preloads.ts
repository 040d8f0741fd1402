// The editor's chunks are not preloaded from the start: index.html lists them in a template
// (vite.config.ts says why), and the page moves them into the head once its first screen is up.

/** The id of index.html's `<template>` that holds the editor's preload links. */
export const EDITOR_PRELOADS_ID = 'lab-editor-preloads';

/**
 * Starts fetching (and compiling, off the main thread) the editor's chunks without evaluating
 * them. Does nothing the second time, or where the page has no such template (the dev server).
 */
export function preloadCodeEditor(): void {
  const template = document.getElementById(EDITOR_PRELOADS_ID);
  if (!(template instanceof HTMLTemplateElement)) return;
  template.remove();
  document.head.append(template.content);
}
