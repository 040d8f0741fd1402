export function listFiles(dir: string): string[];
export function hashInputs(inputs: string[], root: string): string;
export class Stamps {
  constructor(dir: string);
  read(name: string): string | null;
  fresh(name: string, hash: string, outputs?: string[]): boolean;
  write(name: string, hash: string): void;
}
