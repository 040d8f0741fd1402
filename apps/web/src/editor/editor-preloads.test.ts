// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { EDITOR_PRELOADS_ID, preloadCodeEditor } from './editor-preloads.ts';

const preloads = () =>
  [...document.head.querySelectorAll('link')].map((link) => link.getAttribute('href'));

describe('preloadCodeEditor', () => {
  afterEach(() => {
    document.head.replaceChildren();
  });

  it("moves the editor's preload links from their template into the head, once", () => {
    document.head.innerHTML =
      `<template id="${EDITOR_PRELOADS_ID}">` +
      '<link rel="modulepreload" href="/assets/monaco.js">' +
      '<link rel="preload" as="style" href="/assets/monaco.css"></template>';
    expect(preloads()).toEqual([]);

    preloadCodeEditor();
    expect(preloads()).toEqual(['/assets/monaco.js', '/assets/monaco.css']);
    expect(document.getElementById(EDITOR_PRELOADS_ID)).toBeNull();

    preloadCodeEditor();
    expect(preloads()).toEqual(['/assets/monaco.js', '/assets/monaco.css']);
  });

  it('does nothing on a page without the template (the dev server)', () => {
    preloadCodeEditor();
    expect(preloads()).toEqual([]);
  });
});
