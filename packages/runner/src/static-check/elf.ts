// A small ELF64 little-endian reader for BPF objects. The object is shaped by the student
// (inline asm can emit any bytes), so every size and offset is checked against the buffer
// before use and anything malformed is an ElfError, never an out-of-range read.

export class ElfError extends Error {}

export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_EXECINSTR = 0x4;
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STB_LOCAL = 0;
export const EM_BPF = 247;

/** At most this many sections, symbols and relocations: real student objects have far fewer. */
const MAX_SECTIONS = 4096;
const MAX_SYMBOLS = 1 << 16;
const MAX_RELOCS = 1 << 18;

export interface Section {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
  /** The section's bytes (empty for SHT_NOBITS). */
  data: Buffer;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  shndx: number;
}

export interface Relocation {
  /** Byte offset in the section the relocation applies to. */
  offset: number;
  type: number;
  symbol: number;
}

export interface ElfFile {
  sections: Section[];
  symbols: ElfSymbol[];
  /** Relocations by the index of the section they apply to. */
  relocations: Map<number, Relocation[]>;
  byName(name: string): Section | undefined;
}

/** Bounds-checked view of part of the buffer. */
export function slice(buf: Buffer, offset: number, size: number, what: string): Buffer {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(size) ||
    offset < 0 ||
    size < 0 ||
    offset + size > buf.length
  ) {
    throw new ElfError(`${what} lies outside the file`);
  }
  return buf.subarray(offset, offset + size);
}

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} is too large`);
  return Number(v);
}

/** A NUL-terminated string at `offset` of a string table. */
export function cString(table: Buffer, offset: number, what = 'string'): string {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= table.length) {
    if (offset === 0 && table.length === 0) return '';
    throw new ElfError(`${what} offset ${offset} lies outside its string table`);
  }
  const end = table.indexOf(0, offset);
  if (end < 0) throw new ElfError(`${what} at ${offset} is not terminated`);
  return table.toString('latin1', offset, end);
}

export function parseElf(buf: Buffer): ElfFile {
  if (buf.length < 64) throw new ElfError('the object is too short to be ELF');
  if (buf.readUInt32BE(0) !== 0x7f454c46) throw new ElfError('the object is not ELF');
  if (buf[4] !== 2 || buf[5] !== 1)
    throw new ElfError('the object is not 64-bit little-endian ELF');
  if (buf.readUInt16LE(18) !== EM_BPF) throw new ElfError('the object is not for the BPF machine');
  const shoff = u64(buf, 0x28, 'section header offset');
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  if (shentsize !== 64) throw new ElfError('unexpected section header size');
  if (shnum === 0 || shnum > MAX_SECTIONS) throw new ElfError('unexpected number of sections');
  const headers = slice(buf, shoff, shnum * 64, 'the section header table');

  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = headers.subarray(i * 64, i * 64 + 64);
    const type = h.readUInt32LE(4);
    const offset = u64(h, 0x18, 'section offset');
    const size = u64(h, 0x20, 'section size');
    const data =
      type === SHT_NOBITS || i === 0 ? Buffer.alloc(0) : slice(buf, offset, size, `section ${i}`);
    raw.push({
      index: i,
      nameOff: h.readUInt32LE(0),
      type,
      flags: h.readBigUInt64LE(8),
      offset,
      size,
      link: h.readUInt32LE(0x28),
      info: h.readUInt32LE(0x2c),
      entsize: u64(h, 0x38, 'entry size'),
      data,
    });
  }
  if (shstrndx >= shnum) throw new ElfError('the section name table is missing');
  const shstr = raw[shstrndx].data;
  const sections: Section[] = raw.map((r) => ({
    index: r.index,
    name: r.index === 0 ? '' : cString(shstr, r.nameOff, 'section name'),
    type: r.type,
    flags: r.flags,
    offset: r.offset,
    size: r.size,
    link: r.link,
    info: r.info,
    entsize: r.entsize,
    data: r.data,
  }));

  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) throw new ElfError('more than one symbol table');
  const symbols: ElfSymbol[] = [];
  const symtab = symtabs[0];
  if (symtab) {
    if (symtab.link >= shnum || sections[symtab.link].type !== SHT_STRTAB) {
      throw new ElfError('the symbol table has no string table');
    }
    const strtab = sections[symtab.link].data;
    if (symtab.data.length % 24 !== 0) throw new ElfError('the symbol table has a partial entry');
    const count = symtab.data.length / 24;
    if (count > MAX_SYMBOLS) throw new ElfError('too many symbols');
    for (let i = 0; i < count; i++) {
      const e = symtab.data.subarray(i * 24, i * 24 + 24);
      const info = e[4];
      const shndx = e.readUInt16LE(6);
      symbols.push({
        name: cString(strtab, e.readUInt32LE(0), 'symbol name'),
        type: info & 0xf,
        bind: info >> 4,
        shndx,
        value: u64(e, 8, 'symbol value'),
        size: u64(e, 16, 'symbol size'),
      });
    }
  }

  const relocations = new Map<number, Relocation[]>();
  let relocCount = 0;
  for (const s of sections) {
    if (s.type === SHT_RELA)
      throw new ElfError(`section ${s.name} has RELA relocations, which BPF objects do not use`);
    if (s.type !== SHT_REL) continue;
    if (!symtab || s.link !== symtab.index)
      throw new ElfError(`relocations ${s.name} use another symbol table`);
    if (s.info === 0 || s.info >= shnum)
      throw new ElfError(`relocations ${s.name} apply to no section`);
    if (s.data.length % 16 !== 0) throw new ElfError(`relocations ${s.name} have a partial entry`);
    const target = sections[s.info];
    const list = relocations.get(s.info) ?? [];
    for (let i = 0; i < s.data.length / 16; i++) {
      if (++relocCount > MAX_RELOCS) throw new ElfError('too many relocations');
      const offset = u64(s.data, i * 16, 'relocation offset');
      const info = s.data.readBigUInt64LE(i * 16 + 8);
      const symbol = Number(info >> 32n);
      if (symbol >= symbols.length)
        throw new ElfError(`relocation in ${s.name} names a missing symbol`);
      if (offset >= target.size)
        throw new ElfError(`relocation in ${s.name} lies outside ${target.name}`);
      list.push({ offset, type: Number(info & 0xffffffffn), symbol });
    }
    relocations.set(s.info, list);
  }

  return {
    sections,
    symbols,
    relocations,
    byName: (name) => sections.find((s) => s.name === name),
  };
}

/** A symbol or section name as a message may quote it: printable ASCII, at most 64 characters. */
export function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
