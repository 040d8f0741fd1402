export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}
export function countTests(report: {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: { status: string; assertionResults?: { status: string }[] }[];
}): TestCounts;
export function summaryLine(counts: TestCounts): string;
