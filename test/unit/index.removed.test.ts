/**
 * Removing a drained cluster under mocks (issue 11 §2): with compute-2 `removed` and recorded as draining (the
 * stack's outputs, as the wrapper passes them), the program registers nothing of compute-2, so Pulumi deletes what
 * the state holds of it; compute-1, the gateway and its backends stay; the output records compute-2 as removed.
 */
import test from "ava";
import { collected, mockableStackValues, promiseOf } from "../helpers/mocks.js";
import { runProgram } from "./helpers/program.js";
import { DEPLOYED_ENV } from "../../lib/fleet.js";
import { pacRouteUrl } from "../../lib/naming.js";

process.env[DEPLOYED_ENV] = JSON.stringify({
    "compute-1": { state: "active", expectedCsv: "", protected: false },
    "compute-2": { state: "draining", expectedCsv: "", protected: false },
});
const values = mockableStackValues("local") as Record<string, any>;
values.clusters[1].state = "removed";
// compute-2 is pool isolated's only cluster: its tenant moves to compute-1's pool in the same change.
for (const tenant of values.tenants) if (tenant.pool === "isolated") tenant.pool = "general";
const program = await runProgram("local", values);

test("removed: nothing of compute-2 is registered (its provider, component and objects are deleted)", (t) => {
    t.deepEqual(
        collected.filter((c) => c.name.startsWith("compute-2")).map((c) => c.name),
        [],
    );
    t.false(
        collected.some((c) => c.type === "pulumi:providers:kubernetes" && c.inputs.clusterIdentifier === "compute-2"),
    );
    t.true(collected.filter((c) => c.name.startsWith("compute-1-")).length > 40, "compute-1 is untouched");
});

test("removed: the gateway stays on compute-1 and forwards to it only", async (t) => {
    t.deepEqual(await promiseOf(program.exports.gatewayBackends), [pacRouteUrl(program.cfg.clusters[0]!.appsDomain)]);
});

test("removed: the output records it, so the next run lets the entry go", (t) => {
    t.like(program.exports.clusters["compute-2"], { state: "removed", expectedCsv: "", protected: false });
});
