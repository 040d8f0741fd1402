// Child processes for the set-up script. Output is captured so each step prints one line;
// the tail of it is shown only when the step fails.
import { spawn, spawnSync } from 'node:child_process';

const TAIL_CHARS = 4000;

export class StepError extends Error {}

/**
 * Runs a command to completion, capturing the tail of its output (or sending stdout to
 * `stdoutFd` when the output is the product). Rejects with a StepError that carries the
 * tail of the output when it exits non-zero.
 */
export function run(cmd, args, { cwd, env, input, stdoutFd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', stdoutFd ?? 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (chunk) => {
      out += chunk.toString();
      if (out.length > 4 * TAIL_CHARS) out = out.slice(-TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr.on('data', keep);
    if (input !== undefined) child.stdin.end(input);
    child.on('error', (e) => reject(new StepError(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else {
        const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new StepError(`${[cmd, ...args].join(' ')} ${how}\n${out.slice(-TAIL_CHARS)}`));
      }
    });
  });
}

/** Runs a quick command and returns its trimmed stdout, or null when it fails or is missing. */
export function probe(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** True when `cmd` is found on PATH. */
export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs a command with the terminal attached (the server, vitest, the grader) and resolves with
 * its exit code. SIGINT/SIGTERM reach the child; the parent waits for it to finish.
 */
export function runAttached(cmd, args, { cwd, env, stdout = 'inherit' } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      stdio: ['inherit', stdout, 'inherit'],
    });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (e) => {
      console.error(`cannot run ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
    });
  });
}
