/**
 * Validate stack files without the Pulumi CLI: `node --import tsx scripts/validate-config.ts [stack ...]`
 * (default: every Pulumi.<stack>.yaml). Reads the `pipeline-service:*` keys, runs the same validation as the
 * program (lib/config.ts resolveConfig) and prints one line per stack. Secure (encrypted) values are not
 * decrypted; a secure value under a key the program validates is reported, since credentials belong in
 * `secretConfigKey` entries. Exit status 1 when any stack is invalid.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { ConfigError, PROJECT, resolveConfig } from "../lib/config.js";

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

export function stacks(): string[] {
    return fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    let failed = 0;
    for (const stack of process.argv.slice(2).length ? process.argv.slice(2) : stacks()) {
        const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
        try {
            const cfg = resolveConfig(stack, readStackFile(file));
            console.log(`ok   ${stack}: ${cfg.environment}, ${cfg.clusters.length} cluster(s), gateway ${cfg.gateway.mode} on ${cfg.gateway.hostCluster}`);
        } catch (e) {
            failed++;
            console.log(`FAIL ${stack}: ${e instanceof ConfigError ? e.message : String(e)}`);
        }
    }
    process.exitCode = failed ? 1 : 0;
}
