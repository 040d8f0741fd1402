export function logTo(stream: { write(text: string): unknown }): void;
export function line(name: string, text: string): void;
export function seconds(ms: number): string;
