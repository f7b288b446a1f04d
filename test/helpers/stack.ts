/** Reading the committed stack files, and turning their values into the config the runtime's mocks take. */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { PROJECT, ROOT } from "./paths.js";

/** The `pipeline-service:*` values of `Pulumi.<stack>.yaml`, keyed without the namespace. */
export function stackValues(stack: string): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc.config ?? {}))
        if (k.startsWith(`${PROJECT}:`)) out[k.slice(PROJECT.length + 1)] = v;
    return out;
}

/** The stack config as `setAllConfig` wants it: `pipeline-service:<key>` → JSON string (strings stay raw). */
export function configOf(values: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        if (v === undefined) continue;
        out[k.includes(":") ? k : `${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

/**
 * The kcp server URL the unit suite gives a stack whose kcp server comes from a kubeconfig file (the local stack's
 * `.local/kubeconfig`, which exists only after `npm run cluster -- up`). Loopback, never dialled under mocks.
 */
export const UNIT_KCP_SERVER_URL = "https://127.0.0.1:6443";

/** `stackValues(stack)` with `kcp.serverUrl` set when kcp is on and the stack takes the server from a file. */
export function mockableStackValues(stack: string): Record<string, unknown> {
    const values = stackValues(stack);
    const kcp = values.kcp as { enabled?: boolean; serverUrl?: string } | undefined;
    if (kcp?.enabled && !kcp.serverUrl) values.kcp = { ...kcp, serverUrl: UNIT_KCP_SERVER_URL };
    return values;
}
