import type { Stamps } from './stamps.mjs';

export const APT_PACKAGES: string[];
export interface LabPaths {
  root: string;
  build: string;
  stamps: string;
  include: string;
  vmlinux: string;
  labHeader: string;
  pch: string;
  native: string;
  loader: string;
  dispatcher: string;
  targets: string;
  templates: string;
  loaderSource: string;
  web: string;
  tsx: string;
  vite: string;
}
export function labPaths(root: string, build?: string): LabPaths;
export function vmlinuxHeader(p: LabPaths, stamps: Stamps): Promise<void>;
export function labHeader(p: LabPaths, stamps: Stamps): void;
export function pch(p: LabPaths, stamps: Stamps): Promise<void>;
/** Builds each exercise's target into build/targets/<id>/target. */
export function targets(p: LabPaths, stamps: Stamps): Promise<void>;
export function setup(root: string, options?: { selfCheck?: boolean }): Promise<LabPaths>;
