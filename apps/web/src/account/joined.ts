// "You joined <course>": the join page keeps the course's title for the page it sends the
// student to, which shows it once. Session storage, so it never outlives the tab.
const KEY = 'ebpf-lab:joined-course';

export function rememberJoinedCourse(title: string): void {
  try {
    sessionStorage.setItem(KEY, title);
  } catch {
    // Storage refused (private mode): the confirmation is only a courtesy.
  }
}

/** The title of the course just joined, until forgotten. */
export function joinedCourse(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function forgetJoinedCourse(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing was kept.
  }
}
