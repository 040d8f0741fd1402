// Which program the verifier refused. libbpf stops at the first program the kernel refuses and
// unloads the others, so the loader cannot tell from the programs' fds; the log can: its first
// line-info annotation is the refused program's first instruction, and the student's source says
// which program's body holds that line.

const SOURCE = /^; .* @ (.+):(\d+)$/;
const SECTION = /\bSEC\(\s*"([^"]*)"\s*\)/;
const FUNCTION = /\b([A-Za-z_]\w*)\s*\(/g;
const NOT_PROGRAMS = new Set(['.maps', 'license']);

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Programs of the source with the line (1-based) their SEC() is on, in source order. */
export function programsOf(source: string): { name: string; line: number }[] {
  const lines = source.split('\n');
  const out: { name: string; line: number }[] = [];
  for (const [i, text] of lines.entries()) {
    const section = SECTION.exec(text);
    if (!section || NOT_PROGRAMS.has(section[1])) continue;
    // The name is the first identifier called after SEC(...), on this line or the next ones.
    const rest = [text.slice(section.index + section[0].length), ...lines.slice(i + 1, i + 4)];
    for (const part of rest) {
      const names = [...part.matchAll(FUNCTION)].map((m) => m[1]);
      if (names.length) {
        out.push({ name: names[0], line: i + 1 });
        break;
      }
    }
  }
  return out;
}

/** The program whose body holds the first source line of the log, if the log and source say. */
export function refusedProgram(
  log: string,
  source: string,
  sourceFile: string,
): string | undefined {
  const file = baseName(sourceFile);
  let first: number | undefined;
  for (const text of log.split('\n')) {
    const m = SOURCE.exec(text.trimEnd());
    if (!m || baseName(m[1]) !== file || Number(m[2]) === 0) continue;
    first = Number(m[2]);
    break;
  }
  if (first === undefined) return undefined;
  return programsOf(source)
    .filter((p) => p.line <= first)
    .at(-1)?.name;
}
