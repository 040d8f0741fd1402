// One short line per step. Set-up writes to stdout for start/test/setup and to stderr for the
// commands whose stdout is data (grade --json).
let out = process.stdout;

export function logTo(stream) {
  out = stream;
}

export function line(name, text) {
  out.write(`lab: ${name.padEnd(12)} ${text}\n`);
}

export function seconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
