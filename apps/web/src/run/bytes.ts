/** Splits lowercase hex into bytes; odd or invalid input yields what parses. */
export function hexToBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const value = Number.parseInt(hex.slice(i, i + 2), 16);
    if (Number.isNaN(value)) break;
    bytes.push(value);
  }
  return bytes;
}

/** Printable ASCII as itself, everything else as a middle dot (like `xxd`'s right column). */
export function printable(bytes: number[]): string {
  return bytes.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·')).join('');
}

/** `de ad be ef` with a wider gap every 8 bytes. */
export function spacedHex(bytes: number[]): string {
  return bytes
    .map(
      (b, i) => b.toString(16).padStart(2, '0') + (i % 8 === 7 && i + 1 < bytes.length ? ' ' : ''),
    )
    .join(' ');
}

export function isAllZero(hex: string): boolean {
  return /^0*$/.test(hex);
}
