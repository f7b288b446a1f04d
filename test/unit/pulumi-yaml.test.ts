/**
 * Pulumi.yaml declares the stack configuration keys (its `config:` block) in step with the program:
 * - every top-level key the program reads is declared with a description, except `kcpKubeconfig` (optional, and no
 *   value means "not set"), and nothing else is declared;
 * - only what Pulumi v3.163 accepts (type string/integer/boolean/array; description, default);
 * - a key without a default is one the program requires (Pulumi then reports it missing, as the program would), and
 *   every committed stack sets it, so `pulumi preview` of each stack keeps working;
 * - a key with a default: the default means "not set" to the program, for every committed stack (the resolved
 *   config, or the problems, are the same with the key absent and with the default), and a default other than {}
 *   (which merges as nothing) is for a key no environment default (lib/config/defaults.ts ENVIRONMENT_DEFAULTS)
 *   sets, so Pulumi's default never hides one.
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, ENVIRONMENT_DEFAULTS, KNOWN_KEYS, resolveConfig } from "../../lib/config.js";
import { ROOT } from "../helpers/paths.js";
import { stackValues } from "../helpers/stack.js";

interface Declaration {
    type?: string;
    description?: string;
    default?: unknown;
    items?: unknown;
    secret?: boolean;
}
const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, Declaration>;
};
const declared = project.config;
const stacks = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();

/** The resolved config, or the problems, of a stack's values. */
function outcome(stack: string, values: Record<string, unknown>): unknown {
    try {
        return { config: resolveConfig(stack, values) };
    } catch (e) {
        if (e instanceof ConfigError) return { problems: e.problems };
        throw e;
    }
}

test("every key the program reads is declared (but kcpKubeconfig), with a description, and nothing else", (t) => {
    t.is(project.name, "pipeline-service");
    t.deepEqual(Object.keys(declared).sort(), [...KNOWN_KEYS].filter((k) => k !== "kcpKubeconfig").sort());
    for (const [k, d] of Object.entries(declared)) {
        t.true((d.description ?? "").length > 20, `${k} has a description`);
        t.deepEqual(
            Object.keys(d).filter((x) => !["type", "description", "default"].includes(x)),
            [],
            `${k}: only type, description, default`,
        );
        if (d.type !== undefined)
            t.true(["string", "integer", "boolean", "array"].includes(d.type), `${k}: a type Pulumi v3.163 accepts`);
        if (d.type === "string" && d.default !== undefined) t.is(typeof d.default, "string", k);
    }
});

test("kcpKubeconfig cannot be declared: it is optional, and no value of it means 'not set'", (t) => {
    for (const s of stacks) {
        const values = stackValues(s);
        delete values.kcpKubeconfig;
        const withEmpty = { ...values, kcpKubeconfig: {} };
        t.notDeepEqual(outcome(s, withEmpty), outcome(s, values), `${s}: {} is not 'not set'`);
    }
});

for (const [key, d] of Object.entries(declared).filter(([, x]) => x.default === undefined)) {
    test(`${key} has no default: the program requires it, and every committed stack sets it`, (t) => {
        for (const s of stacks) {
            const values = stackValues(s);
            t.not(values[key], undefined, `Pulumi.${s}.yaml sets pipeline-service:${key}`);
            delete values[key];
            const o = outcome(s, values) as { problems?: string[] };
            t.truthy(
                o.problems?.some((p) => p.startsWith(`pipeline-service:${key}`)),
                `${s} without ${key}: ${JSON.stringify(o)}`.slice(0, 2000),
            );
        }
        t.truthy(d.description);
    });
}

for (const [key, d] of Object.entries(declared).filter(([, x]) => x.default !== undefined)) {
    test(`${key}'s default ${JSON.stringify(d.default)} means 'not set' for every stack, and hides no environment default`, (t) => {
        for (const s of stacks) {
            const values = stackValues(s);
            delete values[key];
            t.deepEqual(outcome(s, { ...values, [key]: structuredClone(d.default) }), outcome(s, values), s);
        }
        // An empty mapping merges as nothing; any other default replaces what an environment default would give.
        const empty = JSON.stringify(d.default) === "{}";
        for (const [env, defaults] of Object.entries(ENVIRONMENT_DEFAULTS)) {
            if (!empty)
                t.false(key in (defaults as Record<string, unknown>), `ENVIRONMENT_DEFAULTS.${env} sets ${key}`);
        }
    });
}
