/**
 * The dev program (index.ts with Pulumi.dev.yaml) complies with every rule under policy/config/dev.json. The same
 * program under prod.json is rejected where dev legitimately differs (GitHub App, console, in-cluster database),
 * which shows the environment comes from the policy config.
 */
import test from "ava";
import { assertClean, evaluateProgram } from "./helpers/compliance.js";

const dev = await evaluateProgram("dev");
const devUnderProd = await evaluateProgram("dev", "prod");

test("the dev program registers a complete cluster", (t) => {
    t.true(dev.resources.some((r) => r.type === "kubernetes:operator.tekton.dev/v1alpha1:TektonConfig"));
    t.log(`dev program: ${dev.resources.length} resources`);
});

for (const r of dev.reports) {
    test(`dev program complies with ${r.policy.name}`, (t) => assertClean(t, r));
}

test("the dev program under the prod config is rejected for its dev-only values", (t) => {
    const failing = devUnderProd.reports
        .filter((r) => r.violations.length)
        .map((r) => r.policy.name)
        .sort();
    t.deepEqual(failing, ["pac-console-urls-on-hac", "pac-settings-match-github-app", "tekton-results-settings"]);
    t.log(failing.join(", "));
});
