/**
 * fast-check inside ava. Properties use node:assert (which throws) so fast-check can shrink a failure to a minimal
 * counterexample; ava's `t.*` assertions record failures without throwing and would defeat shrinking.
 */
import type { ExecutionContext } from "ava";
import fc from "fast-check";

/** Assert a property; a counterexample fails the test with fast-check's report (seed, path, shrunk value). */
export function holds<Ts>(t: ExecutionContext, property: fc.IProperty<Ts>, params: fc.Parameters<Ts> = {}): void {
    const details = fc.check(property, { numRuns: 300, ...params });
    if (details.failed) t.fail(fc.defaultReportMessage(details) ?? "property failed");
    else t.pass(`${details.numRuns} runs`);
}
