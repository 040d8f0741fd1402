// What the context flow (context-flow.ts) is given and what it finds: the program's code
// sections and functions, the maps helpers read, and every context read, problem and helper call.
import type { ElfSymbol } from './elf.ts';

export interface CodeSection {
  index: number;
  name: string;
  data: Buffer;
  /** Relocated symbol by instruction index. */
  relocs: Map<number, ElfSymbol>;
}

/** One function symbol of a code section, in instructions: [start, end). */
export interface FunctionRange {
  start: number;
  end: number;
}

export interface MapSizes {
  keySize: number;
  valueSize: number;
}

export interface FlowOptions {
  /** Arguments an allowed helper takes (undefined for a refused helper: the allowlist refuses it). */
  helperArgs: (id: number) => number | undefined;
  /** Key and value sizes of the map a `.maps` symbol defines, for what helpers read. */
  mapOf?: (sym: ElfSymbol) => MapSizes | undefined;
  /** Index of `.text`: libbpf links every called function from there. */
  text?: number;
  /** Function symbols of each code section. */
  functions?: Map<number, FunctionRange[]>;
}

export interface Location {
  section: string;
  insn: number;
}

export interface ContextAccess extends Location {
  off: number;
  size: number;
  write: boolean;
}

export interface FlowProblem extends Location {
  code: string;
  message: string;
}

export interface HelperCall extends Location {
  id: number;
}

export interface FlowResult {
  accesses: ContextAccess[];
  problems: FlowProblem[];
  helperCalls: HelperCall[];
  /** Instructions reachable from the entry, across subprograms. */
  reachable: number;
}
