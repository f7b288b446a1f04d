/**
 * A configuration that renames a deployed cluster fails before anything is registered (issue 11 §1, §2): the
 * stack's outputs (as the wrapper passes them) hold compute-2, the stack file calls it compute-3. The RunError names
 * the cluster, says it looks like a rename, why that is refused, and the drain/remove steps.
 */
import test from "ava";
import { collected, configOf, installMocks, mockableStackValues } from "../helpers/mocks.js";
import { DEPLOYED_ENV } from "../../lib/fleet.js";

process.env[DEPLOYED_ENV] = JSON.stringify({
    "compute-1": { state: "active", expectedCsv: "", protected: false },
    "compute-2": { state: "active", expectedCsv: "", protected: false },
});
const values = mockableStackValues("local") as Record<string, any>;
values.clusters[1].name = "compute-3";
await installMocks("local", configOf(values));
const pulumi = await import("@pulumi/pulumi");

test("renaming compute-2 to compute-3 while state holds compute-2: a RunError with the steps, nothing registered", async (t) => {
    const err = await t.throwsAsync(import("../../index.js"));
    t.true(pulumi.RunError.isInstance(err), "a RunError: the CLI prints it without a stack trace");
    const m = err!.message;
    t.true(m.startsWith("invalid stack configuration for stack 'local' (nothing was changed):"), m);
    t.regex(
        m,
        /pipeline-service:clusters: cluster 'compute-2' is deployed \(stack output clusters\.compute-2, state active\) but is not in clusters\[\] any more/,
    );
    t.regex(m, /It looks like a rename to 'compute-3': renaming a cluster is refused/);
    t.regex(m, /\(1\) keep its entry in clusters\[\] and set clusters\[<i>\]\.state: draining/);
    t.is(collected.length, 0, "nothing was registered");
});
