/**
 * The prod program (index.ts with Pulumi.prod.yaml, three clusters in rings, fan-out gateway) complies with every
 * rule under policy/config/prod.json, where every rule is mandatory.
 */
import test from "ava";
import { assertClean, evaluateProgram } from "./helpers/compliance.js";
import { ofKind } from "./helpers/program.js";

const { resources, reports } = await evaluateProgram("prod");

test("the prod program registers the resources the rules look at", (t) => {
    t.is(ofKind(resources, "operator.tekton.dev", "TektonConfig").length, 3);
    t.is(ofKind(resources, "argoproj.io", "Application").length, 3);
    // Prod follows ADR-0009 (kcp off, upstream-conformance §1.12): no SyncTarget.
    t.is(ofKind(resources, "workload.kcp.io", "SyncTarget").length, 0);
    // Per cluster PaC, Chains signing, Results DB and S3 (no syncer kubeconfig with kcp off).
    t.true(ofKind(resources, "external-secrets.io", "ExternalSecret").length >= 3 * 4);
    t.log(`prod program: ${resources.length} resources`);
});

for (const r of reports) {
    test(`prod program complies with ${r.policy.name}`, (t) => assertClean(t, r));
}
