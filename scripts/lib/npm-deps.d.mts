export function npmStaleReason(root: string): string | null;
