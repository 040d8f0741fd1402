export const PARTS_DIR: string;
export interface VmlinuxSplit {
  header: string;
  parts: { name: string; text: string }[];
}
export function splitVmlinux(text: string, partBytes?: number): VmlinuxSplit;
export function partFiles(includeDir: string): string[];
export function writeVmlinuxParts(
  wholeHeader: string,
  includeDir: string,
): { parts: number; changed: boolean };
