// Which network the lab listens on, and what signed-out visitors may do there. The lab loads
// code into the kernel as root: started casually, it must only be reachable from this machine;
// opening it to a network is the operator's explicit choice, and then strangers must sign in.
import { isIP } from 'node:net';
import type { Config } from '../config.ts';

/** True for `localhost`, 127.0.0.0/8 and ::1 (bracketed or not, IPv4-mapped too). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export interface LabMode {
  /** Reachable from other machines (HOST is not a loopback address). */
  exposed: boolean;
  /** Whether a signed-out browser may run programs and start a clangd. */
  anonymousRuns: boolean;
  /** One sentence for the start-up log: the mode and why. */
  summary: string;
  /** Problems in the configuration worth a warning at start-up. */
  warnings: string[];
}

export function labMode(
  config: Pick<Config, 'host' | 'allowAnonymousRuns' | 'publicUrl'>,
): LabMode {
  if (config.host === undefined) {
    return {
      exposed: false,
      anonymousRuns: true,
      summary:
        'loopback only (HOST is unset): only this machine can reach the lab, so signed-out runs are allowed',
      warnings: [],
    };
  }
  if (isLoopbackHost(config.host)) {
    return {
      exposed: false,
      anonymousRuns: true,
      summary: `loopback only (HOST=${config.host}): only this machine can reach the lab, so signed-out runs are allowed`,
      warnings: [],
    };
  }
  const warnings: string[] = [];
  if (!config.publicUrl) {
    warnings.push(
      'LAB_PUBLIC_URL is not set: /ws and /lsp accept only pages served from a loopback address, so browsers on other machines can neither run programs nor get editor help. Set it to the URL they open (e.g. https://lab.example.org).',
    );
  }
  if (config.allowAnonymousRuns) {
    return {
      exposed: true,
      anonymousRuns: true,
      summary: `open to the network (HOST=${config.host}) with signed-out runs allowed (LAB_ALLOW_ANONYMOUS_RUNS=1): anyone who can reach this port can load programs into this kernel`,
      warnings,
    };
  }
  return {
    exposed: true,
    anonymousRuns: false,
    summary: `open to the network (HOST=${config.host}): signed-out runs and editor assistance are refused, students sign in through their course's join link (LAB_ALLOW_ANONYMOUS_RUNS=1 would allow them)`,
    warnings,
  };
}

/** The message a signed-out browser gets when the lab is exposed without the switch. */
export const SIGN_IN_REQUIRED =
  'This lab is open to the network, so only signed-in students may run programs: sign in (or join your course through its link) and run again.';
