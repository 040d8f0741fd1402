// Step 2 of a run: checks on the compiled object before anything touches the kernel
// (docs/architecture.md, sections 1 and 4). Pure: the object and the rules in, refusals with lines out.
import type { Diagnostic } from '@ebpf-lab/protocol';
import {
  BTF_KIND,
  coreRelocationBytes,
  parseBtf,
  parseLineInfo,
  resolveType,
  typeSize,
} from './btf.ts';
import type { Btf, LineInfo } from './btf.ts';
import { findUnsafeFormats } from './format-strings.ts';
import { ContextFlow } from './context-flow.ts';
import type { CodeSection, FunctionRange, Location, MapSizes } from './context-flow.ts';
import { possibleCpus } from './cpus.ts';
import {
  ElfError,
  parseElf,
  SHF_EXECINSTR,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHT_NOBITS,
  STB_LOCAL,
  STT_FILE,
  STT_FUNC,
  STT_SECTION,
} from './elf.ts';
import type { ElfFile, ElfSymbol } from './elf.ts';
import { contextSizesSync, uprobeOf } from './tracefs.ts';
import { ALLOWED_HELPERS, helperArgCount, helperName, refusalReason } from './helpers.ts';

export interface StaticLimits {
  maxInsns: number;
  maxMaps: number;
  maxMapEntries: number;
  maxMapValueBytes: number;
  memoryBytes: number;
}

export interface StaticRules {
  /** Program sections the exercise allows, e.g. `tracepoint/syscalls/sys_enter_openat`. */
  sections: readonly string[];
  /**
   * Record size of each section's tracepoint (tracefs.ts): how far a program may read. When
   * absent (an ExerciseMeta passed as it is), read from tracefs here, cached per process.
   */
  contextSizes?: Readonly<Record<string, number>>;
  limits: StaticLimits;
  /** Replaces the global helper allowlist (ALLOWED_HELPERS). */
  allowedHelpers?: readonly string[];
  /** Names the lab itself defines with the reserved `lab_` prefix. */
  labNames?: readonly string[];
  /** CPUs a per-CPU map holds a value for (read from sysfs when absent). */
  possibleCpus?: number;
}

export interface ProgramInfo {
  name: string;
  section: string;
  /** Instructions of the program's own function. */
  insns: number;
  /** Instructions reachable from it, subprograms included (what the limit counts). */
  reachableInsns: number;
  /** End of its furthest context read, in bytes (0 when it reads none). */
  maxContextRead: number;
}

export interface MapInfo {
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** `map_flags`, when the definition sets it. */
  flags?: number;
  /** For a struct key: its BTF name and the bytes each member covers (padding is the rest). */
  key?: { type: string; members: { name: string; offset: number; size: number }[] };
}

// A type alias, not an interface: the runner's StaticOutcome has an index signature.
export type StaticResult = {
  ok: boolean;
  diagnostics: Diagnostic[];
  programs: ProgramInfo[];
  maps: MapInfo[];
  /** Sections of global variables (`.data`, `.rodata.*`, `.bss`, …) and their sizes. */
  globals: { section: string; bytes: number }[];
  durationMs: number;
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Local symbols clang makes: labels (LBB0_1), static locals (`func.var`), string literals. */
const LOCAL_NAME = /^[A-Za-z0-9_.$]*$/;
const DATA_SECTION = /^\.(?:rodata|data|bss)(?:\.[A-Za-z0-9_.]+)?$/;
const META_SECTION =
  /^(?:|\.strtab|\.shstrtab|\.symtab|\.BTF|\.BTF\.ext|\.llvm_addrsig|\.rel.+|\.debug_[a-z_.]+)$/;

/**
 * lab.h's ring buffer, which the lab accounts for itself. Recognised by what it is, not by its
 * name: a student map named lab_events with another shape is the student's, and refused.
 */
const LAB_RINGBUF = {
  name: 'lab_events',
  fields: ['type', 'max_entries'],
  type: 27,
  maxEntries: 256 * 1024,
};
const PER_CPU = new Set([5, 6, 10]);

const MAP_TYPES: Record<number, string> = {
  1: 'hash',
  2: 'array',
  5: 'percpu_hash',
  6: 'percpu_array',
  9: 'lru_hash',
  10: 'lru_percpu_hash',
  27: 'ringbuf',
};
const RINGBUF = 27;

/**
 * `source`, when given, is the student's C: refusals then quote their line (the object's line
 * info has no text for a file compiled from stdin).
 */
export function checkObject(object: Buffer, rules: StaticRules, source?: string): StaticResult {
  const t0 = performance.now();
  const diagnostics: Diagnostic[] = [];
  const programs: ProgramInfo[] = [];
  const maps: MapInfo[] = [];
  const globals: StaticResult['globals'] = [];
  const done = (): StaticResult => ({
    ok: !diagnostics.some((d) => d.severity === 'error'),
    diagnostics,
    programs,
    maps,
    globals,
    durationMs: Math.round((performance.now() - t0) * 100) / 100,
  });
  try {
    inspect(object, rules, diagnostics, programs, maps, globals, source?.split('\n'));
  } catch (e) {
    if (!(e instanceof ElfError) && !(e instanceof RangeError)) throw e;
    diagnostics.push({
      source: 'static',
      severity: 'error',
      line: 0,
      column: 0,
      code: 'static/bad-object',
      message: `the compiled object could not be read (${e.message}); remove hand-written assembly that emits raw sections`,
    });
  }
  return done();
}

function inspect(
  object: Buffer,
  rules: StaticRules,
  out: Diagnostic[],
  programs: ProgramInfo[],
  maps: MapInfo[],
  globals: StaticResult['globals'],
  sourceLines: string[] | undefined,
): void {
  const elf = parseElf(object);
  const seen = new Set<string>();
  for (const s of elf.sections) {
    // libbpf takes the last section of a name where this file reads the first: no two may share one.
    if (s.index !== 0 && seen.has(s.name))
      throw new ElfError(`it has two sections named ${printable(s.name)}`);
    seen.add(s.name);
  }
  const btfSection = elf.byName('.BTF');
  if (!btfSection) throw new ElfError('it has no .BTF section (compile with -g)');
  const btf = parseBtf(btfSection.data);
  const extSection = elf.byName('.BTF.ext');
  if (extSection && coreRelocationBytes(extSection.data) !== 0) {
    out.push({
      source: 'static',
      severity: 'error',
      line: 0,
      column: 0,
      code: 'static/core-relocation',
      message:
        "your file uses CO-RE relocations (preserve_access_index, bpf_core_read, bpf_core_field_exists …): the loader would rewrite those accesses from the kernel's own types after these checks, so the lab does not allow them; read the tracepoint's fields through its own struct (ctx->args[1], ctx->ret)",
    });
    return;
  }
  const lines = extSection ? parseLineInfo(extSection.data, btf) : new Map<string, LineInfo[]>();
  const studentFile = guessStudentFile(lines);

  const refuse = (code: string, message: string, where?: Location | { name: string }): void => {
    const d: Diagnostic = {
      source: 'static',
      severity: 'error',
      line: 0,
      column: 0,
      code,
      message,
    };
    if (where && 'name' in where) {
      // Maps and externs have no instruction: their declaration in the source gives the line.
      const line = declarationLine(sourceLines, where.name);
      if (line) {
        d.line = line;
        d.message = `${message} (line ${line}: \`${(sourceLines?.[line - 1] ?? '').trim().slice(0, 120)}\`)`;
      }
    } else if (where) {
      const li = lineOf(lines, where, studentFile);
      if (li) {
        d.line = li.line;
        d.column = li.column;
        const text = (sourceLines?.[li.line - 1] ?? li.text).trim();
        if (text) d.message = `${message} (line ${li.line}: \`${text.slice(0, 120)}\`)`;
      }
    }
    out.push(d);
  };

  const allowed = new Set(rules.sections);
  const labNames = new Set(rules.labNames ?? ['lab_events']);
  const helpers = new Set(rules.allowedHelpers ?? ALLOWED_HELPERS);
  const contextSizes = rules.contextSizes ?? contextSizesSync(rules.sections);

  // Sections.
  const code = new Map<number, CodeSection>();
  let dataBytes = 0;
  for (const s of elf.sections) {
    const exec = (s.flags & BigInt(SHF_EXECINSTR)) !== 0n;
    if (exec) {
      if (s.name !== '.text' && !allowed.has(s.name)) {
        refuse(
          'static/section',
          `section "${printable(s.name)}" is not allowed in this exercise (allowed: ${[...allowed].join(', ')})`,
          { section: s.name, insn: 0 },
        );
        continue;
      }
      if (s.type === SHT_NOBITS || s.data.length % 8 !== 0)
        throw new ElfError(`section ${s.name} is not whole instructions`);
      code.set(s.index, { index: s.index, name: s.name, data: s.data, relocs: new Map() });
    } else if (DATA_SECTION.test(s.name)) {
      // Each becomes a map of its own (libbpf's internal maps), restored between scenarios.
      dataBytes += s.size;
      globals.push({ section: s.name, bytes: s.size });
    } else if (s.name !== '.maps' && s.name !== 'license' && !META_SECTION.test(s.name)) {
      refuse('static/section', `section "${printable(s.name)}" is not allowed`);
    }
  }
  for (const [index, relocs] of elf.relocations) {
    const sec = code.get(index);
    if (!sec) continue;
    for (const r of relocs) {
      if (r.offset % 8 !== 0)
        throw new ElfError(`a relocation in ${sec.name} is not on an instruction`);
      sec.relocs.set(r.offset / 8, elf.symbols[r.symbol]);
    }
  }

  // Symbols: externs, names, reserved names.
  for (const [i, sym] of elf.symbols.entries()) {
    if (i === 0 || sym.type === STT_SECTION || sym.type === STT_FILE) continue;
    if (sym.shndx === SHN_UNDEF) {
      refuse(
        'static/extern',
        `"${printable(sym.name)}" is declared but not defined in your file (extern, ksym and kconfig symbols are not allowed)`,
        firstUse(code, sym) ?? { name: sym.name },
      );
      continue;
    }
    const global = sym.bind !== STB_LOCAL;
    if (global ? !IDENT.test(sym.name) : !LOCAL_NAME.test(sym.name)) {
      refuse('static/name', `the symbol name "${printable(sym.name)}" is not a plain identifier`);
      continue;
    }
    if (global && sym.name.startsWith('lab_') && !labNames.has(sym.name)) {
      refuse(
        'static/reserved-name',
        `"${sym.name}": names starting with lab_ are reserved for lab.h`,
        { name: sym.name },
      );
    }
  }

  // Maps.
  const cpus = rules.possibleCpus ?? possibleCpus();
  checkMaps(
    elf,
    btf,
    rules.limits,
    labNames,
    {
      bytes: dataBytes,
      sections: globals.filter((g) => g.bytes > 0).map((g) => g.section),
    },
    cpus,
    maps,
    refuse,
  );
  const mapsIndex = elf.byName('.maps')?.index;
  const sizes = new Map<string, MapSizes>(
    maps.map((m) => [m.name, { keySize: m.keySize, valueSize: m.valueSize }]),
  );
  const mapOf = (sym: ElfSymbol): MapSizes | undefined =>
    sym.shndx === mapsIndex && sym.type !== STT_SECTION ? sizes.get(sym.name) : undefined;

  // Functions, as libbpf cuts them out of their sections: each symbol's [value, value + size).
  const functions = new Map<number, FunctionRange[]>();
  for (const sym of elf.symbols) {
    if (sym.type !== STT_FUNC || !code.has(sym.shndx)) continue;
    const sec = code.get(sym.shndx) as CodeSection;
    if (
      sym.value % 8 !== 0 ||
      sym.size % 8 !== 0 ||
      sym.size === 0 ||
      sym.value + sym.size > sec.data.length
    ) {
      throw new ElfError(
        `function ${printable(sym.name)} does not cover whole instructions of ${printable(sec.name)}`,
      );
    }
    const list = functions.get(sym.shndx) ?? [];
    list.push({ start: sym.value / 8, end: (sym.value + sym.size) / 8 });
    functions.set(sym.shndx, list);
  }
  for (const [index, list] of functions) {
    list.sort((a, b) => a.start - b.start);
    for (let k = 1; k < list.length; k++) {
      if (list[k].start < list[k - 1].end)
        throw new ElfError(`two functions of ${printable(code.get(index)?.name ?? '')} overlap`);
    }
  }
  const text = elf.byName('.text');
  const flowOptions = {
    helperArgs: (id: number) => (helpers.has(helperName(id)) ? helperArgCount(id) : undefined),
    mapOf,
    text: text && code.has(text.index) ? text.index : -1,
    functions,
  };

  // Read-only strings: a format with %s or %p makes bpf_snprintf (DEBUG) read any kernel address.
  for (const f of findUnsafeFormats(elf.sections)) {
    refuse(
      'static/format',
      `the string "${f.text}" has ${f.conversion}, which makes DEBUG read memory through its argument; DEBUG formats take numbers only (%d, %u, %x, %ld, %llu, %c …): send text with SUBMIT or SUBMIT_USER instead`,
    );
  }

  // Programs: every function symbol in an allowed program section.
  for (const sym of elf.symbols) {
    if (sym.type !== STT_FUNC || sym.shndx === SHN_UNDEF || sym.shndx >= SHN_LORESERVE) continue;
    const sec = code.get(sym.shndx);
    if (!sec || sec.name === '.text') continue;
    if (!IDENT.test(sym.name)) continue; // refused above
    if (sym.bind === STB_LOCAL) {
      refuse('static/program', `program ${sym.name} is static; programs must be global functions`, {
        section: sec.name,
        insn: sym.value / 8,
      });
      continue;
    }
    const flow = ContextFlow.analyze(
      code,
      sec.index,
      sym.value / 8,
      flowOptions,
      (sym.value + sym.size) / 8,
    );
    const limit = contextSizes[sec.name];
    const tp = sec.name.split('/').pop() ?? sec.name;
    let maxRead = 0;
    for (const a of flow.accesses) {
      maxRead = Math.max(maxRead, a.off + a.size);
      if (a.write) {
        // Tracepoint records are refused by the verifier too; a uprobe's pt_regs is writable
        // since 6.18, and a write would change the target's registers, so its behaviour.
        refuse(
          'static/context-write',
          `${sym.name} writes bytes ${a.off}..${a.off + a.size - 1} of its context: programs here only read it${uprobeOf(sec.name) ? " (a uprobe's context is the target's own registers: changing them changes what the target does)" : ''}`,
          a,
        );
      } else if (limit === undefined) {
        refuse(
          'static/context-bound',
          `${sym.name} reads its context, but the size of ${sec.name}'s context is not known`,
          a,
        );
      } else if (a.off < 0 || a.off + a.size > limit) {
        refuse(
          'static/context-bound',
          `${sym.name} ${a.write ? 'writes' : 'reads'} bytes ${a.off}..${a.off + a.size - 1} of its context, past the end of ${tp}'s ${limit}-byte record`,
          a,
        );
      }
    }
    for (const p of flow.problems) refuse(p.code, `${sym.name} ${p.message}`, p);
    for (const h of flow.helperCalls) {
      const name = helperName(h.id);
      if (!helpers.has(name))
        refuse(
          'static/forbidden-helper',
          `${sym.name} calls ${name}, which is not allowed: ${refusalReason(name)}`,
          h,
        );
    }
    if (flow.reachable > rules.limits.maxInsns) {
      refuse(
        'static/insn-limit',
        `program ${sym.name} has ${flow.reachable} instructions; the limit is ${rules.limits.maxInsns}`,
        { section: sec.name, insn: sym.value / 8 },
      );
    }
    programs.push({
      name: sym.name,
      section: sec.name,
      insns: sym.size / 8,
      reachableInsns: flow.reachable,
      maxContextRead: maxRead,
    });
  }
  if (programs.length === 0 && !out.length) {
    refuse(
      'static/no-program',
      `your file defines no program; put one in a section such as SEC("${rules.sections[0] ?? ''}")`,
    );
  }
}

/**
 * The member layout of a struct type, for the grader's padding diagnosis. Undefined for anything
 * else, and for bitfields, whose bytes a member covers only in part.
 */
function structLayout(btf: Btf, id: number): MapInfo['key'] {
  const { type } = resolveType(btf, id);
  if (type.kind !== BTF_KIND.STRUCT) return undefined;
  const members: { name: string; offset: number; size: number }[] = [];
  for (const m of type.members) {
    const size = typeSize(btf, m.type);
    if (size === undefined || m.offset % 8 !== 0) return undefined;
    members.push({ name: m.name, offset: m.offset / 8, size });
  }
  return { type: `struct ${type.name}`, members };
}

function checkMaps(
  elf: ElfFile,
  btf: Btf,
  limits: StaticLimits,
  labNames: Set<string>,
  data: { bytes: number; sections: string[] },
  cpus: number,
  maps: MapInfo[],
  refuse: (code: string, message: string, where?: { name: string }) => void,
): void {
  const datasecs = btf.types.filter((t) => t.kind === BTF_KIND.DATASEC && t.name === '.maps');
  if (datasecs.length > 1) throw new ElfError('.BTF describes .maps twice');
  const mapsSec = datasecs[0];
  const hasMapsSection = elf.byName('.maps') !== undefined;
  if (hasMapsSection && !mapsSec) throw new ElfError('.maps has no BTF description');
  // The compiler leaves a DATASEC's size 0 for libbpf to fill in from the section; a size set
  // by hand would make libbpf trust the hand-made layout.
  if (mapsSec && mapsSec.sizeOrType !== 0)
    throw new ElfError('the BTF description of .maps was not made by the compiler');
  let memory = data.bytes;
  let studentMaps = data.sections.length;
  let labRingbufSeen = false;
  for (const v of mapsSec?.members ?? []) {
    const variable = resolveType(btf, v.type).type;
    if (variable.kind !== BTF_KIND.VAR)
      throw new ElfError('.maps holds something that is not a variable');
    const name = variable.name;
    const def = resolveType(btf, variable.sizeOrType).type;
    if (def.kind !== BTF_KIND.STRUCT) throw new ElfError(`map ${name} is not a struct definition`);
    const info: MapInfo = { name, type: 'unknown', keySize: 0, valueSize: 0, maxEntries: 0 };
    let typeId = 0;
    const fields: string[] = [];
    for (const m of def.members) {
      fields.push(m.name);
      const ptr = resolveType(btf, m.type).type;
      if (ptr.kind !== BTF_KIND.PTR)
        throw new ElfError(`map ${name} field ${m.name} is not a pointer`);
      const target = resolveType(btf, ptr.sizeOrType).type;
      // __uint(field, N) is `int (*field)[N]`; __type(field, T) is `T *field`.
      const num = target.kind === BTF_KIND.ARRAY ? (target.array?.nelems ?? 0) : undefined;
      if (
        num === undefined &&
        ['type', 'max_entries', 'key_size', 'value_size', 'map_flags'].includes(m.name)
      ) {
        throw new ElfError(`map ${name} field ${m.name} is not a number`);
      }
      const size = () => typeSize(btf, ptr.sizeOrType) ?? 0;
      switch (m.name) {
        case 'type':
          typeId = num ?? 0;
          break;
        case 'max_entries':
          info.maxEntries = num ?? 0;
          break;
        case 'key_size':
          info.keySize = num ?? 0;
          break;
        case 'value_size':
          info.valueSize = num ?? 0;
          break;
        case 'key':
          info.keySize = size();
          info.key = structLayout(btf, ptr.sizeOrType);
          break;
        case 'value':
          info.valueSize = size();
          break;
        case 'map_flags':
          info.flags = num ?? 0;
          break;
        case 'pinning':
          refuse(
            'static/map-pinning',
            `map ${name} is pinned; pinned maps outlive the run, so pinning is not allowed`,
            { name },
          );
          break;
        default:
          refuse(
            'static/map-field',
            `map ${name} sets "${printable(m.name)}", which the lab does not allow`,
            { name },
          );
      }
    }
    info.type = MAP_TYPES[typeId] ?? `type ${typeId}`;
    maps.push(info);
    const isLabRingbuf =
      name === LAB_RINGBUF.name &&
      typeId === LAB_RINGBUF.type &&
      info.maxEntries === LAB_RINGBUF.maxEntries &&
      fields.join() === LAB_RINGBUF.fields.join();
    if (isLabRingbuf && !labRingbufSeen) {
      labRingbufSeen = true;
      continue;
    }
    if (labNames.has(name)) {
      refuse(
        'static/reserved-name',
        `map ${name} is not lab.h's ${name}: names starting with lab_ are reserved for lab.h`,
        { name },
      );
    }
    studentMaps += 1;
    if (!MAP_TYPES[typeId]) {
      refuse(
        'static/map-type',
        `map ${name} has type ${typeId}; allowed: hash, array, their per-CPU and LRU variants, ring buffers`,
        { name },
      );
      continue;
    }
    if (typeId === RINGBUF) {
      memory += info.maxEntries;
    } else {
      if (info.maxEntries > limits.maxMapEntries) {
        refuse(
          'static/map-size',
          `map ${name} has max_entries ${info.maxEntries}; the limit is ${limits.maxMapEntries}`,
          { name },
        );
      }
      if (info.valueSize > limits.maxMapValueBytes) {
        refuse(
          'static/map-size',
          `map ${name} has ${info.valueSize}-byte values; the limit is ${limits.maxMapValueBytes} bytes`,
          { name },
        );
      }
      if (info.keySize > limits.maxMapValueBytes) {
        refuse(
          'static/map-size',
          `map ${name} has ${info.keySize}-byte keys; the limit is ${limits.maxMapValueBytes} bytes`,
          { name },
        );
      }
      // A per-CPU map keeps a value, rounded up to 8 bytes, for every possible CPU.
      const valueBytes = PER_CPU.has(typeId)
        ? Math.ceil(info.valueSize / 8) * 8 * cpus
        : info.valueSize;
      memory += (info.keySize + valueBytes) * info.maxEntries;
    }
  }
  if (studentMaps > limits.maxMaps) {
    const globals = data.sections.length
      ? ` (${data.sections.length} of them for your globals: ${data.sections.join(', ')})`
      : '';
    refuse(
      'static/map-count',
      `your file defines ${studentMaps} maps${globals}; the limit is ${limits.maxMaps}`,
    );
  }
  if (memory > limits.memoryBytes) {
    refuse(
      'static/map-memory',
      `your maps and globals need ${memory} bytes; the limit is ${limits.memoryBytes} bytes`,
    );
  }
}

/** The file clang read from stdin (or else the one most line info points at that is not a header). */
function guessStudentFile(lines: Map<string, LineInfo[]>): string | undefined {
  for (const list of lines.values()) {
    for (const li of list) if (li.file.endsWith('<stdin>')) return li.file;
  }
  const counts = new Map<string, number>();
  for (const list of lines.values()) {
    for (const li of list)
      if (!li.file.endsWith('.h')) counts.set(li.file, (counts.get(li.file) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The student's line for an instruction: the nearest line info at or before it in their file. */
function lineOf(
  lines: Map<string, LineInfo[]>,
  where: Location,
  studentFile: string | undefined,
): LineInfo | undefined {
  const list = lines.get(where.section);
  if (!list) return undefined;
  let best: LineInfo | undefined;
  let fallback: LineInfo | undefined;
  for (const li of list) {
    if (li.insn > where.insn) break;
    if (li.file === studentFile) best = li;
    fallback = li;
  }
  best ??= list.find((li) => li.file === studentFile && li.insn >= where.insn);
  return best && best.line > 0 ? best : fallback?.file === studentFile ? fallback : undefined;
}

/** The line declaring `name`: a map's closing `} name SEC(...)`, an extern, a definition. */
function declarationLine(lines: string[] | undefined, name: string): number | undefined {
  if (!lines || !IDENT.test(name)) return undefined;
  const patterns = [
    new RegExp(`\\}\\s*${name}\\s+SEC\\(`),
    new RegExp(`\\bextern\\b.*\\b${name}\\b`),
    new RegExp(`\\b${name}\\s*\\(`),
    new RegExp(`\\b${name}\\b`),
  ];
  for (const re of patterns) {
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) return i + 1;
  }
  return undefined;
}

function firstUse(code: Map<number, CodeSection>, sym: ElfSymbol): Location | undefined {
  for (const sec of code.values()) {
    for (const [insn, s] of sec.relocs) if (s === sym) return { section: sec.name, insn };
  }
  return undefined;
}

function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
