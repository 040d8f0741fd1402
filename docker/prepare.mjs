#!/usr/bin/env node
// The set-up steps of scripts/lib/setup.mjs, split by when a container can run them:
//   image   at image build: the targets, the web bundle and the compile server (no kernel needed)
//   grader  at grader start: tracefs, vmlinux.h, lab.h, the PCH and the native loader and
//           dispatcher, which must match the kernel of the host the container runs on, then the
//           check that BPF programs load.
// Packages and node_modules are the image's own; nothing is installed here.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PreflightError } from '../scripts/lib/preflight.mjs';
import { StepError } from '../scripts/lib/proc.mjs';
import {
  bpfProbe,
  compileServer,
  labHeader,
  labPaths,
  mountsStep,
  native,
  pch,
  targets,
  vmlinuxHeader,
  web,
} from '../scripts/lib/setup.mjs';
import { Stamps } from '../scripts/lib/stamps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const p = labPaths(root);
const stamps = new Stamps(p.stamps);
const [stage] = process.argv.slice(2);

async function main() {
  if (stage === 'image') {
    await targets(p, stamps);
    await web(p, stamps);
    await compileServer(p, stamps);
  } else if (stage === 'grader') {
    mountsStep();
    await vmlinuxHeader(p, stamps);
    labHeader(p, stamps);
    await pch(p, stamps);
    await native(p, stamps);
    bpfProbe(p);
    await targets(p, stamps);
  } else {
    console.error('usage: node docker/prepare.mjs image|grader');
    return 2;
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  if (e instanceof PreflightError || e instanceof StepError) {
    console.error(`lab: cannot continue.\n${e.message}`);
    process.exitCode = 1;
  } else throw e;
}
