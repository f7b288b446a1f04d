/**
 * Validate stack files without the Pulumi CLI: `node --import tsx scripts/validate-config.ts [stack ...]`
 * (default: every Pulumi.<stack>.yaml). Reads every config key of the file and runs the program's own code path
 * (lib/config/entries.ts resolveStackConfig, which loadConfig runs too), so both agree on every case: a key named by
 * a `secretConfigKey` holds a kubeconfig and must be set and encrypted (`secure:`), it is never decrypted or
 * validated; a secure value under a key the program validates is reported, since credentials belong in
 * `secretConfigKey` entries. Prints one line per stack with every problem; exit status 1 when any stack is invalid.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { parseCli } from "./cli.js";
import { ConfigError, PROJECT } from "../lib/config.js";
import { entriesOfStackFile, resolveStackConfig } from "../lib/config/entries.js";
import type { PipelineServiceConfig } from "../lib/config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The raw `pipeline-service:*` values of a stack file, keyed without the namespace. */
export function readStackFile(file: string): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc?.config ?? {})) {
        if (k.startsWith(`${PROJECT}:`)) raw[k.slice(PROJECT.length + 1)] = v;
    }
    return raw;
}

/** Validate one stack file as the program would (lib/config/entries.ts resolveStackConfig). @throws ConfigError */
export function validateStackFile(file: string, stack: string): PipelineServiceConfig {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    return resolveStackConfig(stack, entriesOfStackFile(doc?.config));
}

export function stacks(): string[] {
    return fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}

const USAGE = `usage: node --import tsx scripts/validate-config.ts [STACK...]

Validates Pulumi.<STACK>.yaml (default: every stack file) offline, with the program's own validation
(the code path loadConfig runs, secret config included). One line per stack with every problem; exit status 1
when any stack is invalid.

  -h, --help  this text`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const { positionals } = parseCli({ usage: USAGE, options: {}, allowPositionals: true });
    let failed = 0;
    for (const stack of positionals.length ? positionals : stacks()) {
        const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
        try {
            const cfg = validateStackFile(file, stack);
            console.log(
                `ok   ${stack}: ${cfg.environment}, ${cfg.clusters.length} cluster(s), gateway ${cfg.gateway.mode} on ${cfg.gateway.hostCluster}`,
            );
        } catch (e) {
            failed++;
            console.log(`FAIL ${stack}: ${e instanceof ConfigError ? e.message : String(e)}`);
        }
    }
    process.exitCode = failed ? 1 : 0;
}
