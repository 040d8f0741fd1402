// One sandboxed clangd, started before any browser needs it: it is initialized and has opened a
// stub file with the shared preamble (preamble-shape.ts), so by the time a student connects the
// expensive part (lab.h, vmlinux.h and their index) is done and their first diagnostics cost one
// parse of their own file. Warm-up traffic never reaches the browser.
import { startProcess } from '@ebpf-lab/runner';
import type { RunningProcess } from '@ebpf-lab/runner';
import type { Logger } from 'pino';

import { clangdCommand, LSP_STUDENT_URI, LSP_WORK_DIR, labCompileFlags } from './clangd-sandbox.ts';
import type { ClangdInstall } from './clangd-sandbox.ts';
import { createMemoryCage } from './clangd-memory.ts';
import type { CgroupMounts, MemoryCage } from './clangd-memory.ts';
import { createLspDecoder, encodeLspMessage } from './lsp-framing.ts';
import { WARM_STUB } from './preamble-shape.ts';

/** The stub's document version; the browser's own versions start above it. */
export const WARM_VERSION = 0;
const WARM_INIT_ID = 'lab-warm-initialize';

/**
 * What the bridge's own initialize asks for: what the web client handles (apps/web/src/lsp).
 * A browser's capabilities cannot reach a clangd that was initialized before it connected.
 */
const WARM_CAPABILITIES = {
  textDocument: {
    synchronization: { didSave: false },
    completion: {
      completionItem: {
        snippetSupport: false,
        documentationFormat: ['markdown', 'plaintext'],
      },
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    signatureHelp: {
      signatureInformation: { documentationFormat: ['plaintext'] },
    },
    publishDiagnostics: { relatedInformation: false, versionSupport: true },
  },
};

export interface ClangdProcessOptions {
  /** Where clangd and clang's resource dir are (findClangd). */
  install: ClangdInstall;
  includeDir: string;
  bpfHeaders?: string;
  logger?: Logger;
  maxMessageBytes: number;
  /** clangd's memory limit (clangd-memory.ts). */
  memoryBytes: number;
  /** Where cgroups are mounted; default: this machine's. */
  cgroupMounts?: CgroupMounts;
}

interface RpcMessage {
  id?: number | string;
  method?: string;
  params?: { version?: number };
  result?: unknown;
}

export class ClangdProcess {
  readonly child: RunningProcess;
  /** The memory limit it runs under. */
  readonly memory: MemoryCage;
  /** clangd's answer to the warm-up initialize. */
  readonly initialized: Promise<unknown>;
  /** Resolves when the stub's preamble is built and its diagnostics published. */
  readonly warm: Promise<void>;
  readonly exited: Promise<void>;
  readonly startedAt = performance.now();
  /** Set when it exited: whether the kernel killed it for using all of its memory. */
  outOfMemory = false;
  /** Milliseconds from spawn to warm, once warm. */
  warmMs: number | undefined;
  /** Set by the bridge when the browser's didOpen carries WARM_VERSION. */
  browserUsesWarmVersion = false;
  private onMessage: ((json: string, msg: RpcMessage) => void) | undefined;
  private onFailure: ((reason: string) => void) | undefined;
  private resolveInit!: (result: unknown) => void;
  private resolveWarm!: () => void;
  readonly install: ClangdInstall;

  constructor(private readonly options: ClangdProcessOptions) {
    this.install = options.install;
    this.initialized = new Promise((resolve) => (this.resolveInit = resolve));
    this.warm = new Promise((resolve) => (this.resolveWarm = resolve));
    const cmd = clangdCommand(options.install, {
      includeDir: options.includeDir,
      bpfHeaders: options.bpfHeaders,
      flagsFd: 3,
    });
    this.memory = createMemoryCage(options.memoryBytes, options.cgroupMounts);
    const caged = this.memory.wrap(cmd.command, cmd.args);
    const flags = labCompileFlags(options.includeDir, options.install.resourceDir);
    const decode = createLspDecoder(
      (json) => this.receive(json),
      (reason) => {
        options.logger?.warn({ reason }, 'clangd output refused');
        this.onFailure?.(reason);
        this.kill();
      },
      options.maxMessageBytes,
    );
    // A conversation, not a result: nothing of its output is kept, it is decoded as it comes.
    this.child = startProcess(caged.command, caged.args, {
      keepStdinOpen: true,
      extraInputs: [`${flags.join('\n')}\n`],
      maxOutputBytes: 0,
      onStdout: decode,
      onStderr: (d) =>
        options.logger?.debug({ clangd: d.toString().slice(0, 500) }, 'clangd stderr'),
    });
    void this.child.result.then((r) => {
      if (r.spawnError) options.logger?.warn({ err: r.spawnError }, 'clangd could not start');
    });
    // Exited once the process and its cgroup are gone, so nothing of it outlives `exited`.
    this.exited = this.child.exited.then(() => {
      this.outOfMemory = this.memory.oomKills() > 0;
      return this.memory.remove().catch((err: unknown) => {
        options.logger?.warn(
          { err, cgroup: this.memory.cgroup },
          'could not remove a clangd cgroup',
        );
      });
    });
    this.send({
      jsonrpc: '2.0',
      id: WARM_INIT_ID,
      method: 'initialize',
      params: {
        processId: null,
        rootUri: `file://${LSP_WORK_DIR}`,
        capabilities: WARM_CAPABILITIES,
        initializationOptions: {},
      },
    });
    this.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
    this.send({
      jsonrpc: '2.0',
      method: 'textDocument/didOpen',
      params: {
        textDocument: {
          uri: LSP_STUDENT_URI,
          languageId: 'c',
          version: WARM_VERSION,
          text: WARM_STUB,
        },
      },
    });
  }

  isWarm(): boolean {
    return this.warmMs !== undefined;
  }

  alive(): boolean {
    return this.child.alive();
  }

  /** From now on clangd's messages (minus the warm-up's) go to `onMessage`. */
  handOff(
    onMessage: (json: string, msg: RpcMessage) => void,
    onFailure: (reason: string) => void,
  ): void {
    this.onMessage = onMessage;
    this.onFailure = onFailure;
  }

  send(message: object): void {
    if (!this.alive()) return;
    this.child.stdin?.write(encodeLspMessage(JSON.stringify(message)));
  }

  kill(): void {
    if (!this.alive()) return;
    // clangd runs in bwrap's new session, outside the process group: the cgroup holds it all.
    this.memory.kill();
    // Its own process group: prlimit, bwrap and clangd go together.
    this.child.kill();
  }

  private receive(json: string): void {
    let msg: RpcMessage;
    try {
      msg = JSON.parse(json) as RpcMessage;
    } catch {
      return;
    }
    if (msg.id === WARM_INIT_ID && msg.method === undefined) {
      this.resolveInit(msg.result);
      return;
    }
    if (msg.method === 'textDocument/publishDiagnostics' && msg.params?.version === WARM_VERSION) {
      if (this.warmMs === undefined) {
        this.warmMs = Math.round(performance.now() - this.startedAt);
        this.options.logger?.debug({ warmMs: this.warmMs }, 'clangd warm');
        this.resolveWarm();
      }
      // The stub's diagnostics are nobody's, unless the browser opened its file with the same
      // version: then an empty list may pass before the browser's own.
      if (!this.browserUsesWarmVersion) return;
    }
    if (this.onMessage) {
      this.onMessage(json, msg);
      return;
    }
    // Before a browser is attached, clangd's own requests are answered here.
    if (msg.method !== undefined && msg.id !== undefined) {
      this.send({ jsonrpc: '2.0', id: msg.id, result: null });
    }
  }
}
