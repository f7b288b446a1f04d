/**
 * Fixture cases: for every rule, resources (or whole stacks) it must accept and resources it must reject.
 *
 * `test/policy/fixtures/<rule>.ts` default-exports a function returning `{ allowed, disallowed }`. Cases run
 * with the rule's properties from policy/config/prod.json unless a case gives its own `config`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { ResourceInput, StackResourceInput } from "./harness.js";
import { installProgramMocks, ROOT } from "./program.js";

interface CaseBase {
    name: string;
    /** Policy config properties; default: the rule's entry of policy/config/prod.json. */
    config?: Record<string, unknown>;
    /** Disallowed cases: a violation message must match. */
    expect?: RegExp;
    /** The rule cannot judge this case during preview (it reads an unknown value). */
    previewUnknown?: boolean;
}
export type Case = CaseBase &
    ({ resource: ResourceInput; stack?: never } | { stack: StackResourceInput[]; resource?: never });

export interface RuleFixtures {
    allowed: Case[];
    disallowed: Case[];
}

export type FixtureModule = { default: () => RuleFixtures | Promise<RuleFixtures> };

export const FIXTURES_DIR = path.join(ROOT, "test", "policy", "fixtures");
export const RULES_DIR = path.join(ROOT, "policy", "rules");

/** Rule file names (without .ts) under policy/rules. */
export function ruleFiles(): string[] {
    return fs
        .readdirSync(RULES_DIR)
        .filter((f) => f.endsWith(".ts") && f !== "index.ts")
        .map((f) => f.slice(0, -3))
        .sort();
}

/** Fixture file names (without .ts) under test/policy/fixtures. */
export function fixtureFiles(): string[] {
    return fs
        .readdirSync(FIXTURES_DIR)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => f.slice(0, -3))
        .sort();
}

/**
 * Load every fixture file. Fixtures derived from the whole program run it under the prod stack's mocks, so this
 * installs them first (one stack per process).
 */
export async function loadFixtures(): Promise<Map<string, RuleFixtures>> {
    await installProgramMocks("prod");
    const out = new Map<string, RuleFixtures>();
    for (const f of fixtureFiles()) {
        const mod = (await import(pathToFileURL(path.join(FIXTURES_DIR, `${f}.ts`)).href)) as FixtureModule;
        out.set(f, await mod.default());
    }
    return out;
}
