export interface Mount {
  type: string;
  dir: string;
}
export function mounts(text?: string): Mount[];
export function findCgroup2(list?: Mount[]): string | null;
export function isMounted(dir: string, type: string, list?: Mount[]): boolean;
