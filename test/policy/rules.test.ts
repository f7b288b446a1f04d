/**
 * Every rule against its fixtures: allowed cases raise no violation (and can be judged during preview unless
 * marked), disallowed cases raise at least one, each a full sentence that says how to fix it.
 */
import test from "ava";
import { policies } from "../../policy/rules/index.js";
import { loadFixtures, type Case } from "./helpers/fixtures.js";
import { isStackPolicy, runResourcePolicy, runStackPolicy, type Outcome, type Policy } from "./helpers/harness.js";
import { messageProblem } from "./helpers/messages.js";
import { policyConfigFile, policyConfigFor } from "./helpers/program.js";

const fixtures = await loadFixtures();
const prodConfig = policyConfigFile("prod");

async function run(policy: Policy, c: Case): Promise<Outcome> {
    const config = c.config ?? policyConfigFor(prodConfig, policy.name);
    if (c.stack) return runStackPolicy(policy, c.stack, config);
    return runResourcePolicy(policy, c.resource!, config);
}

for (const policy of policies) {
    const set = fixtures.get(policy.name);
    if (!set) continue; // meta.test.ts reports the missing fixture file
    const kind = isStackPolicy(policy) ? "stack" : "resource";
    for (const c of set.allowed) {
        test(`${policy.name} allows: ${c.name}`, async (t) => {
            t.is(Boolean(c.stack), kind === "stack", `a ${kind} policy needs ${kind} fixtures`);
            const out = await run(policy, c);
            t.deepEqual(
                out.violations.map((v) => v.message),
                [],
            );
            if (c.previewUnknown) t.true(out.previewUnknowns.length > 0, "expected the rule to meet an unknown value");
            else t.deepEqual(out.previewUnknowns, []);
        });
    }
    for (const c of set.disallowed) {
        test(`${policy.name} rejects: ${c.name}`, async (t) => {
            t.is(Boolean(c.stack), kind === "stack", `a ${kind} policy needs ${kind} fixtures`);
            const out = await run(policy, c);
            t.deepEqual(out.previewUnknowns, []);
            t.true(out.violations.length > 0, "expected at least one violation");
            for (const v of out.violations) {
                const problem = messageProblem(v.message);
                t.is(problem, undefined, `message ${JSON.stringify(v.message)} ${problem}`);
            }
            if (c.expect) {
                const re = c.expect;
                t.true(
                    out.violations.some((v) => re.test(v.message)),
                    `no message matches ${re}:\n${out.violations.map((v) => `  ${v.message}`).join("\n")}`,
                );
            }
            t.log(out.violations.map((v) => v.message).join("\n"));
        });
    }
}
