/**
 * Regression: a per-cluster override that turns kcp on while the environment leaves it off. The config is valid
 * (kcpKubeconfig and kcp.serverUrl are set), so the program must build that cluster's syncer through the kcp
 * Provider. Before 6ad0226, index.ts created the kcp Provider only when the ENVIRONMENT enabled kcp, and
 * ComputeCluster threw a plain Error mid-construction, after 78 resources were already registered.
 */
import test from "ava";
import { collected, ofKind, providerUrn, stackValues } from "../helpers/mocks.js";
import { PROVIDER, runProgram } from "./helpers/program.js";
import { resolveConfig } from "../../lib/config.js";

const values = stackValues("local");
values.kcp = { enabled: false, serverUrl: "https://kcp.pipeline-service.localhost" };
(values.clusters as Record<string, unknown>[])[1]!.overrides = { kcp: { enabled: true } };

let failure: unknown;
try {
    await runProgram("local", values);
} catch (e) {
    failure = e;
}

test("the config is valid: compute-2 alone enables kcp, kcpKubeconfig is set", (t) => {
    const cfg = resolveConfig("local", values);
    t.deepEqual(
        cfg.clusters.map((c) => [c.name, c.settings.kcp.enabled]),
        [
            ["compute-1", false],
            ["compute-2", true],
        ],
    );
    t.truthy(cfg.kcpKubeconfig);
});

test("a cluster that enables kcp by override gets its SyncTarget through the kcp provider", (t) => {
    t.is(failure, undefined, `the program failed after registering ${collected.length} resources: ${String(failure)}`);
    const kcp = collected.find((c) => c.type === PROVIDER && c.name === "kcp");
    t.truthy(kcp, "a kcp Provider is created when any cluster enables kcp");
    const sts = ofKind("SyncTarget");
    t.deepEqual(
        sts.map((s) => s.inputs.metadata.name),
        ["compute-2"],
    );
    for (const s of sts) t.is(providerUrn(s.provider), kcp?.urn ?? "(no kcp provider)");
});
