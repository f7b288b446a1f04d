/**
 * Meta-tests of the pack: naming, descriptions, registration, fixtures for every rule, the policy config files
 * (valid for each rule's configSchema and in step with Pulumi.<stack>.yaml) and the files the CLI loads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import test from "ava";
import YAML from "yaml";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema.js";
import { resolveConfig } from "../../lib/config.js";
import { policies } from "../../policy/rules/index.js";
import { fixtureFiles, loadFixtures, ruleFiles, RULES_DIR } from "./helpers/fixtures.js";
import { isStackPolicy } from "./helpers/harness.js";
import { policyConfigFile, ROOT, stackValues } from "./helpers/program.js";

const fixtures = await loadFixtures();
const byName = new Map(policies.map((p) => [p.name, p]));

test("policy: counts of rules and fixtures", (t) => {
    const cases = [...fixtures.values()].reduce((n, f) => n + f.allowed.length + f.disallowed.length, 0);
    const allowed = [...fixtures.values()].reduce((n, f) => n + f.allowed.length, 0);
    const stackRules = policies.filter(isStackPolicy).length;
    const line =
        `policy: ${policies.length} rules (${policies.length - stackRules} resource, ${stackRules} stack), ` +
        `${cases} fixtures (${allowed} allowed, ${cases - allowed} disallowed)`;
    t.log(line);
    console.log(line);
    t.true(policies.length >= 20);
});

test("rule names are kebab-case and unique", (t) => {
    for (const p of policies) t.regex(p.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, p.name);
    t.is(new Set(policies.map((p) => p.name)).size, policies.length);
    t.false(byName.has("all"), "'all' is reserved by the policy runtime");
});

test("descriptions are full sentences that cite their upstream source and inventory constraints", (t) => {
    for (const p of policies) {
        t.regex(p.description, /^[A-Z]/, `${p.name}: starts with a capital letter`);
        t.regex(p.description, /\.$/, `${p.name}: ends with a full stop`);
        t.regex(p.description, /Source: /, `${p.name}: cites its source`);
        const m = /inventory constraints? ([0-9, and]+)\)/.exec(p.description);
        t.truthy(m, `${p.name}: names its inventory constraint numbers`);
        for (const n of (m?.[1] ?? "").match(/[0-9]+/g) ?? [])
            t.true(Number(n) >= 1 && Number(n) <= 48, `${p.name}: constraint ${n}`);
    }
});

test("every rule file is registered in the pack once, under its file name", async (t) => {
    const files = ruleFiles();
    t.is(files.length, policies.length, "rules/index.ts lists every file of policy/rules");
    for (const f of files) {
        const mod = (await import(pathToFileURL(path.join(RULES_DIR, `${f}.ts`)).href)) as { default?: unknown };
        t.truthy(mod.default, `${f}.ts has a default export`);
        t.is(policies.filter((p) => p === mod.default).length, 1, `${f}.ts is registered once`);
        t.is((mod.default as { name?: string }).name, f, `${f}.ts exports the policy named ${f}`);
    }
});

test("enforcement levels come from the policy config only", (t) => {
    for (const p of policies) {
        t.is(p.enforcementLevel, undefined, `${p.name} sets no enforcementLevel of its own`);
        t.false(
            "enforcementLevel" in (p.configSchema?.properties ?? {}),
            `${p.name}: enforcementLevel is not a config property`,
        );
        if (p.configSchema)
            t.true(Array.isArray(p.configSchema.required), `${p.name}: configSchema.required is an array`);
    }
    t.is(policyConfigFile("dev").all, "advisory");
    t.is(policyConfigFile("prod").all, "mandatory");
});

test("every rule has allowed and disallowed fixtures, and every fixture file has a rule", (t) => {
    for (const p of policies) {
        const f = fixtures.get(p.name);
        t.truthy(f, `test/policy/fixtures/${p.name}.ts exists`);
        t.true((f?.allowed.length ?? 0) > 0, `${p.name} has an allowed fixture`);
        t.true((f?.disallowed.length ?? 0) > 0, `${p.name} has a disallowed fixture`);
        const names = [...(f?.allowed ?? []), ...(f?.disallowed ?? [])].map((c) => c.name);
        t.is(new Set(names).size, names.length, `${p.name}: fixture names are unique`);
    }
    for (const f of fixtureFiles()) t.true(byName.has(f), `fixtures/${f}.ts matches a rule`);
});

/** Why `value` does not satisfy `schema` (the subset of JSON Schema the rules use), or undefined. */
function schemaProblem(schema: PolicyConfigJSONSchema, value: unknown): string | undefined {
    const type = schema.type;
    if (type === "string" && typeof value !== "string") return "is not a string";
    if (type === "boolean" && typeof value !== "boolean") return "is not a boolean";
    if (type === "integer" && !Number.isInteger(value)) return "is not an integer";
    if (type === "number" && typeof value !== "number") return "is not a number";
    if (schema.enum && !schema.enum.includes(value as never)) return `is not one of ${JSON.stringify(schema.enum)}`;
    if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum)
        return `is below ${schema.minimum}`;
    if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength)
        return "is too short";
    if (type === "array") {
        if (!Array.isArray(value)) return "is not an array";
        const items = schema.items;
        if (items && typeof items === "object" && !Array.isArray(items)) {
            for (const v of value) {
                const p = schemaProblem(items, v);
                if (p) return `has an item that ${p}`;
            }
        }
    }
    return undefined;
}

for (const env of ["local", "dev", "prod"]) {
    test(`policy/config/${env}.json names registered rules and declared, valid properties`, (t) => {
        for (const [rule, value] of Object.entries(policyConfigFile(env))) {
            if (rule === "all") continue;
            const p = byName.get(rule);
            t.truthy(p, `${rule} is a rule of the pack`);
            if (!p || typeof value !== "object" || value === null) continue;
            for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
                if (k === "enforcementLevel") continue;
                const schema = p.configSchema?.properties[k];
                t.truthy(schema, `${rule}.${k} is declared in the rule's configSchema`);
                if (schema && typeof schema === "object")
                    t.is(schemaProblem(schema, v), undefined, `${env}.json ${rule}.${k}`);
            }
        }
        for (const p of policies) {
            for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
                if (typeof s === "object" && s.default !== undefined)
                    t.is(schemaProblem(s, s.default), undefined, `${p.name}.${k} default`);
            }
        }
    });

    test(`policy/config/${env}.json agrees with Pulumi.${env}.yaml`, (t) => {
        const cfg = resolveConfig(env, stackValues(env));
        const file = policyConfigFile(env) as Record<string, Record<string, unknown>>;
        const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
        t.deepEqual(
            sorted(file["pac-settings-match-github-app"]!.githubAppNames as string[]),
            sorted(cfg.clusters.map((c) => c.settings.githubAppName)),
            "githubAppNames = every cluster's githubAppName",
        );
        t.deepEqual(
            sorted(file["pac-console-urls-on-hac"]!.hacHosts as string[]),
            sorted(cfg.clusters.map((c) => new URL(c.settings.hacConsoleUrl).hostname)),
            "hacHosts = every cluster's hacConsoleUrl host",
        );
        for (const [rule, props] of Object.entries(file)) {
            if (typeof props === "object" && props && "environment" in props)
                t.is(props.environment, cfg.environment, `${rule}.environment`);
        }
        t.is(
            file["compute-cluster-complete"]!.requireSyncer,
            cfg.clusters.some((c) => c.settings.kcp.enabled),
        );
        const phase1 = cfg.clusters.some((c) => c.settings.kcp.enabled);
        for (const rule of ["tekton-results-settings", "tekton-config-rbac-defaults"])
            t.is(file[rule]?.kcpSynced ?? false, phase1, `${rule}.kcpSynced follows kcp.enabled`);
        t.is(
            file["tekton-triggers-disabled"]!.triggersAllowed,
            cfg.clusters.some((c) => c.settings.tekton.triggers.enabled),
        );
        if (cfg.clusters.some((c) => !c.settings.tekton.operatorPruner.disabled)) {
            t.true(file["tekton-operator-pruner"]!.allowBackupPruner as boolean, "a cluster runs the backup pruner");
        }
    });
}

test("the pack directory is what the CLI loads: PulumiPolicy.yaml, package.json main, CommonJS bootstrap, index.ts", (t) => {
    const dir = path.join(ROOT, "policy");
    const project = YAML.parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")) as { runtime?: unknown };
    t.is(project.runtime, "nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        version?: string;
        main?: string;
    };
    t.regex(pkg.version ?? "", /^[0-9]+\.[0-9]+\.[0-9]+$/, "PolicyPack reads its version from package.json");
    t.is(pkg.main, "main.cjs");
    const main = fs.readFileSync(path.join(dir, "main.cjs"), "utf8");
    t.regex(main, /tsImport\("\.\/index\.ts"/);
    const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
    t.regex(index, /import \{ policies \} from "\.\/rules\/index\.js"/);
    t.regex(index, /new PolicyPack\(PACK_NAME, \{ policies, enforcementLevel: "advisory" \}\)/);
});
