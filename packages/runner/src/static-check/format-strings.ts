// bpf_snprintf (behind lab.h's DEBUG) formats `%s` and `%p…` by reading whatever address the
// program passes as the argument, through the kernel's nofault copy: any kernel address. That
// would undo the refusal of bpf_probe_read_kernel. The verifier only accepts a format that lives
// in a frozen read-only map, which for a student object means its .rodata sections, so refusing
// those conversions anywhere in .rodata closes the hole without following registers.

/** A conversion that reads memory through its argument, found in a read-only string. */
export interface UnsafeConversion {
  section: string;
  offset: number;
  conversion: string;
  /** The string it was found in, printable, for the message. */
  text: string;
}

const FLAGS = '-+ #0';
const LENGTH = /^(hh|h|ll|l|z|j|t)/;

/**
 * Conversions in one NUL-terminated string that read memory: `s` and every `p…` form. Every `%`
 * is taken as the start of a conversion, `%%` included: the program may point the format into
 * the middle of a string, so `"%%s"` read from its second byte is `"%s"`.
 */
function unsafeIn(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') continue;
    let j = i + 1;
    while (j < text.length && FLAGS.includes(text[j])) j++;
    while (j < text.length && /[0-9*.]/.test(text[j])) j++;
    const len = LENGTH.exec(text.slice(j));
    if (len) j += len[0].length;
    const conv = text[j];
    if (conv === 's' || conv === 'p') found.push(text.slice(i, j + 1));
  }
  return found;
}

/** Scans every `.rodata*` section for format conversions that read memory. */
export function findUnsafeFormats(sections: { name: string; data: Buffer }[]): UnsafeConversion[] {
  const out: UnsafeConversion[] = [];
  for (const s of sections) {
    if (!s.name.startsWith('.rodata')) continue;
    let start = 0;
    for (let i = 0; i <= s.data.length; i++) {
      if (i < s.data.length && s.data[i] !== 0) continue;
      if (i > start) {
        const text = s.data.subarray(start, i).toString('latin1');
        for (const conversion of unsafeIn(text)) {
          out.push({
            section: s.name,
            offset: start,
            conversion,
            text: text.replace(/[^\x20-\x7e]/g, '.').slice(0, 80),
          });
        }
      }
      start = i + 1;
    }
  }
  return out;
}
