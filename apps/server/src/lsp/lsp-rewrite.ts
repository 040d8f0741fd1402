// What crosses the bridge. From the browser: JSON-RPC 2.0 only, a short list of methods, one
// document whose URI becomes the sandbox's student file, no client-chosen flags or settings.
// From clangd: the student file's URI becomes the browser's again, and every other host path
// (headers under build/include, the resource dir) is reduced to a file name.
import { z } from 'zod';

import { LSP_STUDENT_URI, LSP_WORK_DIR } from './clangd-sandbox.ts';
import { shapeForClangd } from './preamble-shape.ts';

/** Requests and notifications the browser may send; anything else is refused. */
export const ALLOWED_METHODS = new Set([
  'initialize',
  'initialized',
  'shutdown',
  'exit',
  '$/cancelRequest',
  'textDocument/didOpen',
  'textDocument/didChange',
  'textDocument/didClose',
  'textDocument/completion',
  'completionItem/resolve',
  'textDocument/hover',
  'textDocument/signatureHelp',
]);

const Id = z.union([z.number().int(), z.string().max(64)]);
const ClientRequest = z.object({
  jsonrpc: z.literal('2.0'),
  id: Id.optional(),
  method: z.string().max(64),
  params: z.unknown().optional(),
});
/** The browser may answer clangd's requests (e.g. workspace/configuration); results are dropped. */
const ClientResponse = z.object({
  jsonrpc: z.literal('2.0'),
  id: Id,
  result: z.unknown().optional(),
  error: z.unknown().optional(),
});

export type ClientVerdict =
  | { ok: true; forward: Record<string, unknown>; clientUri?: string }
  | { ok: false; reason: string; id?: number | string };

const DocumentParams = z
  .object({
    textDocument: z.object({ uri: z.string().max(1024) }).passthrough(),
  })
  .passthrough();

/**
 * Validates one browser message and rewrites it for clangd.
 * @param clientUri the browser's URI of the open document, once known.
 */
export function rewriteClientMessage(
  raw: string,
  clientUri: string | undefined,
  maxSourceBytes: number,
): ClientVerdict {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const response = ClientResponse.safeParse(json);
  if (response.success && !('method' in (json as object))) {
    return { ok: true, forward: { jsonrpc: '2.0', id: response.data.id, result: null } };
  }
  const parsed = ClientRequest.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'not a JSON-RPC 2.0 message' };
  const msg = parsed.data;
  if (!ALLOWED_METHODS.has(msg.method)) {
    return { ok: false, reason: `method ${msg.method} is not available`, id: msg.id };
  }
  const out: Record<string, unknown> = { jsonrpc: '2.0', method: msg.method };
  if (msg.id !== undefined) out.id = msg.id;

  if (msg.method === 'initialize') {
    const params = z
      .object({ capabilities: z.record(z.string(), z.unknown()).optional() })
      .passthrough()
      .safeParse(msg.params ?? {});
    // Only the client's capabilities pass: its root, folders and initializationOptions (where
    // clangd takes fallback flags and compilation databases) are the server's to choose.
    out.params = {
      processId: null,
      rootUri: `file://${LSP_WORK_DIR}`,
      capabilities: params.success ? (params.data.capabilities ?? {}) : {},
      initializationOptions: {},
    };
    return { ok: true, forward: out };
  }
  if (msg.method.startsWith('textDocument/')) {
    const params = DocumentParams.safeParse(msg.params);
    if (!params.success)
      return { ok: false, reason: `${msg.method} needs a textDocument`, id: msg.id };
    const uri = params.data.textDocument.uri;
    if (msg.method === 'textDocument/didOpen') {
      if (clientUri !== undefined && uri !== clientUri) {
        return { ok: false, reason: 'one document per session' };
      }
      const text = (params.data.textDocument as { text?: unknown }).text;
      if (typeof text !== 'string' || Buffer.byteLength(text) > maxSourceBytes) {
        return { ok: false, reason: `the source must be text of at most ${maxSourceBytes} bytes` };
      }
      out.params = {
        textDocument: {
          ...params.data.textDocument,
          uri: LSP_STUDENT_URI,
          languageId: 'c',
          text: shapeForClangd(text),
        },
      };
      return { ok: true, forward: out, clientUri: uri };
    }
    if (uri !== clientUri) return { ok: false, reason: 'unknown document', id: msg.id };
    if (msg.method === 'textDocument/didChange') {
      // Whole-document changes only (the initialize answer says so): the text clangd sees is
      // reshaped (preamble-shape.ts), so an edit range of the browser's would not fit it.
      const changes = z
        .array(z.object({ text: z.string() }).strict())
        .max(1)
        .safeParse(params.data.contentChanges);
      if (!changes.success || changes.data.length !== 1) {
        return { ok: false, reason: 'didChange must carry the whole document, once' };
      }
      const text = changes.data[0].text;
      if (Buffer.byteLength(text) > maxSourceBytes) {
        return { ok: false, reason: `the source must be at most ${maxSourceBytes} bytes` };
      }
      out.params = {
        ...params.data,
        textDocument: { ...params.data.textDocument, uri: LSP_STUDENT_URI },
        contentChanges: [{ text: shapeForClangd(text) }],
      };
      return { ok: true, forward: out };
    }
    out.params = {
      ...params.data,
      textDocument: { ...params.data.textDocument, uri: LSP_STUDENT_URI },
    };
    return { ok: true, forward: out };
  }
  if (msg.params !== undefined) out.params = msg.params;
  return { ok: true, forward: out };
}

/**
 * Rewrites clangd's message for the browser: the student file gets the browser's URI back,
 * and any host path under a bound root is replaced by its file name.
 */
export function rewriteServerMessage(json: string, clientUri: string, roots: string[]): string {
  let text = json.split(LSP_STUDENT_URI).join(clientUri);
  for (const root of roots) {
    const escaped = root.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    // `file:///root/a/b.h` and `/root/a/b.h`, possibly JSON-escaped (`\/`), become `b.h`.
    const pattern = new RegExp(`(?:file://)?${escaped}(?:/[^"\\s:)\\]'\`]*)?`, 'g');
    text = text.replace(pattern, (m) => m.slice(m.lastIndexOf('/') + 1) || 'header');
  }
  // Anything else under the work dir (there is nothing else there) and any other file URI.
  text = text.replace(/file:\/\/\/[^"\s)]*/g, (m) =>
    m === clientUri ? m : m.slice(m.lastIndexOf('/') + 1),
  );
  return text;
}

/** LSP's TextDocumentSyncKind.Full. */
const SYNC_FULL = 1;

/**
 * clangd's answer to initialize, as the browser gets it: documents are synchronised whole
 * (clangd offers incremental changes, which the reshaped text could not take).
 */
export function initializeResultForBrowser(result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const capabilities = (result as { capabilities?: Record<string, unknown> }).capabilities ?? {};
  const sync = capabilities.textDocumentSync;
  const textDocumentSync =
    typeof sync === 'object' && sync !== null ? { ...sync, change: SYNC_FULL } : SYNC_FULL;
  return { ...result, capabilities: { ...capabilities, textDocumentSync } };
}
