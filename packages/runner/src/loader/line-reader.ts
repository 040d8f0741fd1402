// Splits the loader's stdout into lines as it arrives. Each chunk is scanned once, so the cost
// is linear in the output however long a line grows (rescanning a growing buffer for every chunk
// stalled the server's event loop on one 40 MB line), and a line past its cap is dropped as it
// streams, never held whole. Lines are decoded only once complete, so a character split between
// two chunks stays whole.
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private dropping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    /** Called once for each line dropped for its size. */
    private readonly onOverlong: () => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, nl));
      this.endLine();
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** The stream ended: a last line without its newline still counts. */
  end(): void {
    if (this.size > 0 || this.dropping) this.endLine();
  }

  private take(piece: Buffer): void {
    if (this.dropping || piece.length === 0) return;
    if (this.size + piece.length > this.maxLineBytes) {
      this.dropping = true;
      this.parts = [];
      this.size = 0;
      this.onOverlong();
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private endLine(): void {
    const text = this.dropping ? undefined : Buffer.concat(this.parts, this.size).toString('utf8');
    this.parts = [];
    this.size = 0;
    this.dropping = false;
    if (text !== undefined) this.onLine(text);
  }
}
