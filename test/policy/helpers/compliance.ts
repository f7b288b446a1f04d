/**
 * The whole program against the whole pack: index.ts with Pulumi.<stack>.yaml under mocks, every resource
 * through every resource policy and the stack through every stack policy, with policy/config/<config>.json.
 */
import type { ExecutionContext } from "ava";
import { policies } from "../../../policy/rules/index.js";
import { isStackPolicy, runResourcePolicy, runStackPolicy, type Policy } from "./harness.js";
import {
    captureProgram,
    installProgramMocks,
    policyConfigFile,
    policyConfigFor,
    toResourceInput,
    toStackInputs,
    type Captured,
} from "./program.js";

export interface PolicyReport {
    policy: Policy;
    /** Resources a resource policy was run on (all of them), or 1 for a stack policy. */
    evaluated: number;
    violations: string[];
    previewUnknowns: string[];
}

/** Capture the program of `stack` and run every policy with the config file `config`. */
export async function evaluateProgram(
    stack: string,
    config: string = stack,
): Promise<{ resources: Captured[]; reports: PolicyReport[] }> {
    await installProgramMocks(stack);
    const resources = await captureProgram();
    const file = policyConfigFile(config);
    const reports: PolicyReport[] = [];
    for (const policy of policies) {
        const cfg = policyConfigFor(file, policy.name);
        const report: PolicyReport = { policy, evaluated: 0, violations: [], previewUnknowns: [] };
        if (isStackPolicy(policy)) {
            const out = await runStackPolicy(policy, toStackInputs(resources), cfg);
            report.evaluated = 1;
            report.violations.push(
                ...out.violations.map((v) => `${v.urn ? `${v.urn.split("::").pop()}: ` : ""}${v.message}`),
            );
            report.previewUnknowns.push(...out.previewUnknowns);
        } else {
            for (const c of resources) {
                const out = await runResourcePolicy(policy, toResourceInput(c, resources), cfg);
                report.evaluated++;
                report.violations.push(...out.violations.map((v) => `${c.name}: ${v.message}`));
                report.previewUnknowns.push(...out.previewUnknowns.map((u) => `${c.name}: ${u}`));
            }
        }
        reports.push(report);
    }
    return { resources, reports };
}

export function assertClean(t: ExecutionContext, r: PolicyReport): void {
    t.deepEqual(r.violations, [], `${r.policy.name} reports violations`);
    t.deepEqual(r.previewUnknowns, [], `${r.policy.name} could not judge a resource`);
}
