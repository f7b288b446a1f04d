/**
 * A stack's configuration as the stack holds it (every key, plain or encrypted), validated in one code path for
 * both readers: {@link loadConfig} (entries from the Pulumi runtime, lib/config/load.ts) and
 * `scripts/validate-config.ts` (entries read offline from `Pulumi.<stack>.yaml`). So the two agree on every case,
 * secret config included:
 *
 * - a key named by a `secretConfigKey` (anywhere: `clusters[i].kubeconfig`, `kcpKubeconfig`,
 *   `gateway.hostKubeconfig`) holds a kubeconfig: it is not validated or read here, it must be set, and it must be
 *   encrypted (`pulumi config set --secret`);
 * - every other `pipeline-service:*` key is plain configuration; an encrypted one is reported (the offline checker
 *   cannot read it, and credentials belong under a `secretConfigKey`), without echoing it;
 * - everything else goes through {@link resolveConfig}; all problems come back together in one {@link ConfigError}.
 *
 * Pure: no Pulumi runtime.
 */
import { isPlainObject } from "../merge.js";
import { PipelineServiceConfig, PROJECT } from "./schema.js";
import { ConfigError, resolveConfig } from "./validate.js";

/** One config key of a stack (`<namespace>:<name>`). */
export interface ConfigEntry {
    /** The value, parsed from JSON/YAML; absent for an encrypted value, which is never read here. */
    value?: unknown;
    /** Stored encrypted (`pulumi config set --secret`; `secure:` in the stack file). */
    secure: boolean;
}

/** `ns:name` of a `secretConfigKey` value (a bare name is in the project's namespace). */
export function fullKey(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/**
 * The keys named by a `secretConfigKey` in the plain values, each with where it is named
 * (e.g. `pipeline-service:clusters[0].kubeconfig.secretConfigKey`), in order of appearance.
 */
export function secretConfigKeyRefs(entries: Map<string, ConfigEntry>): Map<string, string> {
    const refs = new Map<string, string>();
    const visit = (v: unknown, at: string) => {
        if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${at}[${i}]`));
        else if (isPlainObject(v)) {
            for (const [k, x] of Object.entries(v)) {
                if (k === "secretConfigKey" && typeof x === "string") {
                    if (!refs.has(fullKey(x))) refs.set(fullKey(x), `${at}.secretConfigKey`);
                } else {
                    visit(x, `${at}.${k}`);
                }
            }
        }
    };
    for (const [k, e] of entries) if (k.startsWith(`${PROJECT}:`) && !e.secure) visit(e.value, k);
    return refs;
}

/**
 * Validate and resolve a stack's configuration from its entries (see the module comment).
 *
 * @throws ConfigError with every problem: resolveConfig's, then those of encrypted plain keys and secret keys.
 */
export function resolveStackConfig(stack: string, entries: Map<string, ConfigEntry>): PipelineServiceConfig {
    const refs = secretConfigKeyRefs(entries);
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [k, e] of entries) {
        if (!k.startsWith(`${PROJECT}:`) || refs.has(k)) continue;
        if (e.secure) {
            problems.push(
                `${k}: is stored encrypted, but it is plain configuration that the program validates (only a key named ` +
                    `by a secretConfigKey holds credentials). Fix: pulumi config set ${k} <value> --stack ${stack} (without --secret), or, ` +
                    `if it is a kubeconfig, name it from the kubeconfig's secretConfigKey.`,
            );
            continue;
        }
        raw[k.slice(PROJECT.length + 1)] = e.value;
    }
    for (const [key, at] of refs) {
        const e = entries.get(key);
        if (!e) {
            problems.push(
                `${key}: is referenced as a secretConfigKey but not set (by ${at}). Fix: pulumi config set --secret ${key} ` +
                    `"$(cat <kubeconfig>)" --stack ${stack}.`,
            );
        } else if (!e.secure) {
            problems.push(
                `${key}: holds credentials but is stored in plaintext (it is the kubeconfig named by ${at}). Fix: pulumi ` +
                    `config set --secret ${key} "$(cat <kubeconfig>)" --stack ${stack}, which replaces the plaintext value with an encrypted one.`,
            );
        }
    }
    let cfg: PipelineServiceConfig | undefined;
    try {
        cfg = resolveConfig(stack, raw);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.unshift(...e.problems);
    }
    if (problems.length || !cfg) throw new ConfigError(stack, problems);
    return cfg;
}

/** Whether a stack-file value is, or contains, an encrypted value (`{secure: <ciphertext>}`). */
export function holdsSecure(v: unknown): boolean {
    if (Array.isArray(v)) return v.some(holdsSecure);
    if (!isPlainObject(v)) return false;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "secure" && typeof v.secure === "string") return true;
    return Object.values(v).some(holdsSecure);
}

/**
 * The entries of a stack file's `config:` mapping (as `YAML.parse` gives it): keys made `<namespace>:<name>` (a bare
 * key is the project's), a value that is or contains `{secure: ...}` marked encrypted and not kept.
 */
export function entriesOfStackFile(config: Record<string, unknown> | undefined): Map<string, ConfigEntry> {
    const out = new Map<string, ConfigEntry>();
    for (const [k, v] of Object.entries(config ?? {})) {
        out.set(fullKey(k), holdsSecure(v) ? { secure: true } : { value: v, secure: false });
    }
    return out;
}
