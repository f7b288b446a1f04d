/**
 * Loading the stack configuration through the Pulumi runtime: every config key as an entry for
 * lib/config/entries.ts (the code path scripts/validate-config.ts shares: the secret config keys that hold kubeconfigs
 * are checked to be set and encrypted, never validated or echoed), and {@link kubeconfigSecret}, which reads one as a
 * secret Output. lib/config.ts re-exports the public part.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigEntry, resolveStackConfig } from "./entries.js";
import { PipelineServiceConfig, PROJECT } from "./schema.js";
import { ConfigError } from "./validate.js";

/**
 * Read the stack's configuration through the Pulumi runtime and resolve it, through the same code path as the offline
 * checker scripts/validate-config.ts ({@link resolveStackConfig}): every key as an entry, plain values parsed as JSON,
 * encrypted ones (`isConfigSecret`) not read. Secret values (kubeconfigs) are read later by {@link kubeconfigSecret}
 * only.
 *
 * @throws pulumi.RunError with the {@link ConfigError} message, so the CLI prints it without a stack trace.
 */
export function loadConfig(): PipelineServiceConfig {
    // `isConfigSecret` is exported by the SDK's runtime but not typed (marked @internal).
    const isSecret =
        (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret ?? (() => false);
    const entries = new Map<string, ConfigEntry>();
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (isSecret(key)) {
            entries.set(key, { secure: true });
            continue;
        }
        let parsed: unknown = value;
        try {
            parsed = JSON.parse(value);
        } catch {
            /* a plain string */
        }
        entries.set(key, { value: parsed, secure: false });
    }
    try {
        return resolveStackConfig(pulumi.getStack(), entries);
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

/** The kubeconfig held by a secret config key, as a secret Output (never plaintext in state or logs). */
export function kubeconfigSecret(key: string): pulumi.Output<string> {
    const [ns, name] = key.includes(":") ? (key.split(":", 2) as [string, string]) : [PROJECT, key];
    return new pulumi.Config(ns).requireSecret(name);
}
