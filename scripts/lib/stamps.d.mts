export function listFiles(dir: string): string[];
export function hashFile(path: string): string;
export function hashInputs(inputs: string[]): string;
export function replaceIfChanged(tmp: string, dest: string): boolean;
export class Stamps {
  constructor(dir: string);
  read(name: string): { inputs: string; outputs: string[] } | null;
  fresh(name: string, hash: string, outputs?: string[]): boolean;
  write(name: string, hash: string, outputs?: string[]): void;
}
