// The closing line of `npm test`, counted from vitest's JSON report.

/**
 * Counts from a vitest JSON report. A file that failed before running any test (an import
 * error, a failing beforeAll) counts as one failure so it cannot vanish from the total.
 */
export function countTests(report) {
  let failedFiles = 0;
  for (const file of report.testResults ?? []) {
    if (
      file.status === 'failed' &&
      (file.assertionResults ?? []).every((a) => a.status !== 'failed')
    ) {
      failedFiles++;
    }
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + failedFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}
