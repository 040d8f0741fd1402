// An exercise that continues another opens, for a signed-in student with nothing saved for it
// anywhere, on their own code of the earlier exercise from the account (another device's
// attempts included), and never over code they already have or typed.
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SaveBackend, SavedCode } from '../storage/code-store.ts';
import type { DraftServer, ServerDraft } from '../storage/server-drafts.ts';
import { render } from '../test-utils/render.tsx';
import type { Rendered } from '../test-utils/render.tsx';
import { useAutosave } from './use-autosave.ts';

const STARTER = '// starter\n';
const OWN = '// my code of the earlier exercise\n// TODO: the new part\n';

function backendWith(saved: SavedCode | null): SaveBackend {
  return {
    load: () => saved,
    save: (_id, code) => ({ code, savedAt: Date.now(), tabId: 't' }),
    onExternalChange: () => () => {},
  };
}

function server(draft: ServerDraft | null): DraftServer & { starterAsked: number } {
  return {
    starterAsked: 0,
    async load() {
      return draft;
    },
    async starter() {
      this.starterAsked++;
      return OWN;
    },
    async save(_id, code, editedAtMs) {
      return { code, editedAtMs };
    },
  };
}

let view: Rendered | undefined;
afterEach(() => view?.unmount());

/** Mounts the hook with an editor that is up, and returns what was put into it. */
async function open(backend: SaveBackend, client: DraftServer, continues: boolean) {
  const shown: string[] = [];
  const connect = async () => client;
  function Probe() {
    useAutosave(
      backend,
      'ex-two',
      STARTER,
      (code) => {
        shown.push(code);
        return true;
      },
      connect,
      continues,
    );
    return null;
  }
  view = render(<Probe />);
  // Let the connection, the draft and the starter answer.
  for (let i = 0; i < 5; i++) await act(async () => {});
  return shown;
}

describe('the starting code of an exercise that continues another', () => {
  it('comes from the account when nothing is saved anywhere', async () => {
    const client = server(null);
    expect(await open(backendWith(null), client, true)).toEqual([OWN]);
    expect(client.starterAsked).toBe(1);
  });

  it('is not asked for when the exercise continues nothing', async () => {
    const client = server(null);
    expect(await open(backendWith(null), client, false)).toEqual([]);
    expect(client.starterAsked).toBe(0);
  });

  it('is not asked for when code is saved in this browser', async () => {
    const client = server(null);
    const saved = { code: '// typed here\n', savedAt: Date.now(), tabId: 't' };
    expect(await open(backendWith(saved), client, true)).not.toContain(OWN);
    expect(client.starterAsked).toBe(0);
  });

  it('is not asked for when the account has a draft', async () => {
    const client = server({ code: '// typed elsewhere\n', editedAtMs: Date.now() });
    expect(await open(backendWith(null), client, true)).toEqual(['// typed elsewhere\n']);
    expect(client.starterAsked).toBe(0);
  });
});
