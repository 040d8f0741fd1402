// The network settings as an operator writes them: parsed, or refused with the variable named.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { secureCookiesFor } from '../create-deps.ts';
import { labMode, isLoopbackHost } from './mode.ts';
import { isAllowedOrigin } from './origin.ts';

describe('network configuration', () => {
  it('listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBeUndefined();
    expect(loadConfig({ HOST: '' }).host).toBeUndefined();
    expect(labMode(loadConfig({})).exposed).toBe(false);
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      expect(labMode(loadConfig({ HOST: host })), host).toMatchObject({
        exposed: false,
        anonymousRuns: true,
      });
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'lab.example.org']) {
      expect(labMode(loadConfig({ HOST: host })), host).toMatchObject({
        exposed: true,
        anonymousRuns: false,
      });
    }
  });

  it('reads the switches and refuses what it cannot read, naming the variable', () => {
    expect(loadConfig({ LAB_ALLOW_ANONYMOUS_RUNS: '1' }).allowAnonymousRuns).toBe(true);
    expect(loadConfig({ LAB_ALLOW_ANONYMOUS_RUNS: 'no' }).allowAnonymousRuns).toBe(false);
    expect(() => loadConfig({ LAB_ALLOW_ANONYMOUS_RUNS: 'maybe' })).toThrow(
      'LAB_ALLOW_ANONYMOUS_RUNS: use 1 or 0',
    );
    expect(() => loadConfig({ LAB_PUBLIC_URL: 'lab.example.org' })).toThrow(/^LAB_PUBLIC_URL: /);
    expect(() => loadConfig({ LAB_PUBLIC_URL: 'ftp://lab.example.org' })).toThrow(
      'LAB_PUBLIC_URL: must be an http:// or https:// URL',
    );
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ LAB_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ LAB_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ LAB_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
    expect(() => loadConfig({ LAB_LSP_MEMORY_BYTES: '1000' })).toThrow(/^LAB_LSP_MEMORY_BYTES: /);
  });

  it('makes cookies Secure whenever the public URL is https', () => {
    expect(secureCookiesFor({ publicUrl: 'https://lab.example.org' })).toBe(true);
    expect(secureCookiesFor({ publicUrl: 'http://10.0.0.5:8080' })).toBe('auto');
    expect(secureCookiesFor({})).toBe('auto');
  });
});

describe('origins allowed to open /ws and /lsp', () => {
  it('takes loopback pages on any port when no public URL is set', () => {
    for (const o of [
      'http://localhost:8080',
      'http://127.0.0.1:5173',
      'http://[::1]:8080',
      'https://127.8.9.1',
    ]) {
      expect(isAllowedOrigin(o), o).toBe(true);
    }
    for (const o of [
      'http://evil.example',
      'http://localhost.evil.example',
      'null',
      'file://',
      'http://10.0.0.5:8080',
    ]) {
      expect(isAllowedOrigin(o), o).toBe(false);
    }
  });

  it('takes only the public URL origin when it is set', () => {
    const url = 'https://lab.example.org/';
    expect(isAllowedOrigin('https://lab.example.org', url)).toBe(true);
    expect(isAllowedOrigin('https://lab.example.org:8443', url)).toBe(false);
    expect(isAllowedOrigin('http://lab.example.org', url)).toBe(false);
    expect(isAllowedOrigin('http://localhost:8080', url)).toBe(false);
  });

  it('lets a client without Origin through (no browser omits it)', () => {
    expect(isAllowedOrigin(undefined)).toBe(true);
    expect(isAllowedOrigin(undefined, 'https://lab.example.org')).toBe(true);
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
  });
});
