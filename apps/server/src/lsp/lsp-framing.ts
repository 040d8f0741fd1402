// LSP's stdio framing: `Content-Length: N\r\n\r\n` then N bytes of JSON.

export function encodeLspMessage(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

/**
 * Splits clangd's stdout into message bodies. A message over `maxBytes` (or a broken header)
 * ends the stream: `onError` is called and nothing more is decoded.
 */
export function createLspDecoder(
  onMessage: (json: string) => void,
  onError: (reason: string) => void,
  maxBytes: number,
): (chunk: Buffer) => void {
  let buffer: Buffer = Buffer.alloc(0);
  let failed = false;
  return (chunk) => {
    if (failed) return;
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffer.length > 1024) {
          failed = true;
          onError('header too long');
        }
        return;
      }
      const header = buffer.subarray(0, end).toString('ascii');
      const m = /(?:^|\r\n)Content-Length: *(\d+)/i.exec(header);
      if (!m) {
        failed = true;
        onError('missing Content-Length');
        return;
      }
      const length = Number(m[1]);
      if (length > maxBytes) {
        failed = true;
        onError(`message of ${length} bytes is over the ${maxBytes}-byte cap`);
        return;
      }
      if (buffer.length < end + 4 + length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      buffer = buffer.subarray(end + 4 + length);
      onMessage(body);
    }
  };
}
