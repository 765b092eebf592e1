/**
 * Prints the plain closing line CI reads ("N passed, N failed"), since jest's own summary is not one of the
 * formats it recognises. Skipped tests are counted too, so none can hide.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\nsidecar: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
