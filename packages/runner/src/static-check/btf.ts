// Just enough BTF to check an object: types (to read map definitions in `.maps`) and the
// `.BTF.ext` line info (to put each refusal on the student's line). Bounds-checked throughout,
// like elf.ts: the student can shape these bytes.
import { cString, ElfError, slice } from './elf.ts';

export const BTF_KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

const MAX_TYPES = 1 << 20;

export interface BtfMember {
  name: string;
  type: number;
  offset: number;
}

export interface BtfType {
  kind: number;
  name: string;
  /** Size for INT/STRUCT/UNION/ENUM/DATASEC/FLOAT; referenced type id for PTR/TYPEDEF/VAR/… */
  sizeOrType: number;
  vlen: number;
  /** STRUCT/UNION members, DATASEC variables (type, offset, size as `name`-less entries). */
  members: BtfMember[];
  /** ARRAY: element type and count. */
  array?: { type: number; nelems: number };
}

export interface Btf {
  /** Index = type id; 0 is void. */
  types: BtfType[];
  strings: Buffer;
}

export function parseBtf(data: Buffer): Btf {
  if (data.length < 24) throw new ElfError('.BTF is too short');
  if (data.readUInt16LE(0) !== 0xeb9f) throw new ElfError('.BTF has a bad magic number');
  const hdrLen = data.readUInt32LE(4);
  const typeOff = data.readUInt32LE(8);
  const typeLen = data.readUInt32LE(12);
  const strOff = data.readUInt32LE(16);
  const strLen = data.readUInt32LE(20);
  // libbpf reads the header at offset 0 and ignores whatever follows the strings, so top-level
  // asm could put a whole BTF of its own in front of clang's. Clang's layout is exact: header,
  // types, strings, nothing else.
  if (
    data[2] !== 1 ||
    data[3] !== 0 ||
    hdrLen !== 24 ||
    typeOff !== 0 ||
    strOff !== typeLen ||
    hdrLen + strOff + strLen !== data.length
  ) {
    throw new ElfError(
      '.BTF is not laid out as the compiler makes it (its header, types and strings do not add up to the section)',
    );
  }
  const types = slice(data, hdrLen + typeOff, typeLen, '.BTF types');
  const strings = slice(data, hdrLen + strOff, strLen, '.BTF strings');
  if (strings.length === 0 || strings[0] !== 0 || strings[strings.length - 1] !== 0) {
    throw new ElfError('.BTF strings do not start and end with NUL');
  }
  const out: BtfType[] = [{ kind: 0, name: '', sizeOrType: 0, vlen: 0, members: [] }];
  let at = 0;
  const need = (n: number): void => {
    if (at + n > types.length) throw new ElfError('.BTF type runs past its section');
  };
  while (at < types.length) {
    if (out.length > MAX_TYPES) throw new ElfError('.BTF has too many types');
    need(12);
    const nameOff = types.readUInt32LE(at);
    const info = types.readUInt32LE(at + 4);
    const sizeOrType = types.readUInt32LE(at + 8);
    at += 12;
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const t: BtfType = {
      kind,
      name: cString(strings, nameOff, 'BTF name'),
      sizeOrType,
      vlen,
      members: [],
    };
    switch (kind) {
      case BTF_KIND.INT:
      case BTF_KIND.VAR:
      case BTF_KIND.DECL_TAG:
        need(4);
        at += 4;
        break;
      case BTF_KIND.ARRAY:
        need(12);
        t.array = { type: types.readUInt32LE(at), nelems: types.readUInt32LE(at + 8) };
        at += 12;
        break;
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION:
      case BTF_KIND.DATASEC:
        need(12 * vlen);
        for (let i = 0; i < vlen; i++, at += 12) {
          const first = types.readUInt32LE(at);
          t.members.push({
            // DATASEC entries are (type, offset, size): no name.
            name: kind === BTF_KIND.DATASEC ? '' : cString(strings, first, 'BTF member name'),
            type: kind === BTF_KIND.DATASEC ? first : types.readUInt32LE(at + 4),
            offset:
              kind === BTF_KIND.DATASEC ? types.readUInt32LE(at + 4) : types.readUInt32LE(at + 8),
          });
        }
        break;
      case BTF_KIND.ENUM:
      case BTF_KIND.FUNC_PROTO:
        need(8 * vlen);
        at += 8 * vlen;
        break;
      case BTF_KIND.ENUM64:
        need(12 * vlen);
        at += 12 * vlen;
        break;
      case BTF_KIND.PTR:
      case BTF_KIND.FWD:
      case BTF_KIND.TYPEDEF:
      case BTF_KIND.VOLATILE:
      case BTF_KIND.CONST:
      case BTF_KIND.RESTRICT:
      case BTF_KIND.FUNC:
      case BTF_KIND.FLOAT:
      case BTF_KIND.TYPE_TAG:
        break;
      default:
        throw new ElfError(`.BTF has an unknown type kind ${kind}`);
    }
    out.push(t);
  }
  return { types: out, strings };
}

export function btfType(btf: Btf, id: number): BtfType {
  const t = btf.types[id];
  if (!t) throw new ElfError(`.BTF refers to a missing type ${id}`);
  return t;
}

/** Follows typedefs and qualifiers (bounded: a cycle is malformed BTF). */
export function resolveType(btf: Btf, id: number): { id: number; type: BtfType } {
  const skip: number[] = [
    BTF_KIND.TYPEDEF,
    BTF_KIND.VOLATILE,
    BTF_KIND.CONST,
    BTF_KIND.RESTRICT,
    BTF_KIND.TYPE_TAG,
  ];
  for (let i = 0; i < 64; i++) {
    const t = btfType(btf, id);
    if (!skip.includes(t.kind)) return { id, type: t };
    id = t.sizeOrType;
  }
  throw new ElfError('.BTF has a type cycle');
}

/** Byte size of a type, or undefined when it has none (void, functions, forward declarations). */
export function typeSize(btf: Btf, id: number, depth = 0): number | undefined {
  if (depth > 64) throw new ElfError('.BTF types nest too deeply');
  const { type } = resolveType(btf, id);
  switch (type.kind) {
    case BTF_KIND.INT:
    case BTF_KIND.STRUCT:
    case BTF_KIND.UNION:
    case BTF_KIND.ENUM:
    case BTF_KIND.ENUM64:
    case BTF_KIND.FLOAT:
    case BTF_KIND.DATASEC:
      return type.sizeOrType;
    case BTF_KIND.PTR:
      return 8;
    case BTF_KIND.ARRAY: {
      const elem = typeSize(btf, type.array?.type ?? 0, depth + 1);
      return elem === undefined ? undefined : elem * (type.array?.nelems ?? 0);
    }
    default:
      return undefined;
  }
}

export interface LineInfo {
  /** Instruction index in its ELF section. */
  insn: number;
  file: string;
  line: number;
  column: number;
  /** The source line as clang recorded it. */
  text: string;
}

/**
 * Bytes of CO-RE relocations in `.BTF.ext`. They make libbpf rewrite instructions (a field's
 * offset, a constant) from the kernel's BTF after these checks: a load the checks saw at ctx + 0
 * could become ctx + 2000. lab.h turns them off for the kernel's types; any left were asked for.
 */
export function coreRelocationBytes(ext: Buffer): number {
  if (ext.length < 32) return 0;
  return ext.readUInt32LE(4) >= 32 ? ext.readUInt32LE(28) : 0;
}

/** `.BTF.ext` line info, by ELF section name, sorted by instruction. */
export function parseLineInfo(ext: Buffer, btf: Btf): Map<string, LineInfo[]> {
  const out = new Map<string, LineInfo[]>();
  if (ext.length < 24) throw new ElfError('.BTF.ext is too short');
  if (ext.readUInt16LE(0) !== 0xeb9f) throw new ElfError('.BTF.ext has a bad magic number');
  const hdrLen = ext.readUInt32LE(4);
  const funcOff = ext.readUInt32LE(8);
  const funcLen = ext.readUInt32LE(12);
  const lineOff = ext.readUInt32LE(16);
  const lineLen = ext.readUInt32LE(20);
  if (coreRelocationBytes(ext) !== 0) throw new ElfError('.BTF.ext has CO-RE relocations');
  if (
    ext[2] !== 1 ||
    ext[3] !== 0 ||
    (hdrLen !== 24 && hdrLen !== 32) ||
    funcOff !== 0 ||
    lineOff !== funcLen ||
    hdrLen + funcLen + lineLen !== ext.length
  ) {
    throw new ElfError('.BTF.ext is not laid out as the compiler makes it');
  }
  if (lineLen === 0) return out;
  const data = slice(ext, hdrLen + lineOff, lineLen, '.BTF.ext line info');
  if (data.length < 4) throw new ElfError('.BTF.ext line info is too short');
  const recSize = data.readUInt32LE(0);
  if (recSize < 16 || recSize > 1024)
    throw new ElfError('.BTF.ext line info has a bad record size');
  let at = 4;
  while (at < data.length) {
    if (at + 8 > data.length) throw new ElfError('.BTF.ext line info runs past its end');
    const secName = cString(btf.strings, data.readUInt32LE(at), 'line info section');
    const count = data.readUInt32LE(at + 4);
    at += 8;
    if (count * recSize > data.length - at)
      throw new ElfError('.BTF.ext line info runs past its end');
    const list = out.get(secName) ?? [];
    for (let i = 0; i < count; i++, at += recSize) {
      const insnOff = data.readUInt32LE(at);
      const lineCol = data.readUInt32LE(at + 12);
      list.push({
        insn: Math.floor(insnOff / 8),
        file: cString(btf.strings, data.readUInt32LE(at + 4), 'line info file'),
        text: cString(btf.strings, data.readUInt32LE(at + 8), 'line info text'),
        line: lineCol >>> 10,
        column: lineCol & 0x3ff,
      });
    }
    list.sort((a, b) => a.insn - b.insn);
    out.set(secName, list);
  }
  return out;
}
