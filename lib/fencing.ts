/**
 * Cluster identity fencing: a stack changes a compute cluster only when the cluster its kubeconfig context points
 * at is the one the stack deployed to before.
 *
 * A cluster's identity is the UID of its `kube-system` Namespace: created once when the cluster is bootstrapped,
 * never recreated, readable with the same credentials the provider uses (the same choice as, e.g., the
 * `kube-system` UID used as cluster ID by Kubernetes SIG Multicluster's ClusterProperty `cluster.clusterset.k8s.io`,
 * KEP-2149 "ClusterId for ClusterSet identification"). It is recorded as the stack output
 * `clusters.<name>.identity` on the first deploy and checked on every later preview and up, before any resource is
 * registered, so a context that points at another cluster, a context that does not exist, a missing kubeconfig file
 * or an API server that does not answer fails the run before ring 0 changes, naming the cluster.
 *
 * The decisions are pure functions ({@link kubeconfigProblem}, {@link compareIdentity}, {@link parseExpected},
 * {@link fencingEnabled}); {@link readIdentity} is the one bounded API call; {@link fenceClusters} ties them together.
 * The previous identities come from the stack's own outputs, passed by `.tools/bin/pulumi` as
 * PIPELINE_SERVICE_EXPECTED_IDENTITIES (scripts/pulumi-wrapper.sh, from `pulumi stack output clusters`).
 */
import type * as k8s from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { kubeClient } from "./kubeClient.js";

/** Where the identity is read: `GET /api/v1/namespaces/kube-system`, `.metadata.uid`. */
export const IDENTITY_NAMESPACE = "kube-system";
/** Per-cluster bound of the identity call (connect, TLS handshake and answer), unless overridden. */
export const DEFAULT_TIMEOUT_SECONDS = 15;
/** Env: JSON `{ "<cluster>": "<uid>" }` of the identities the stack recorded (set by the wrapper). */
export const EXPECTED_ENV = "PIPELINE_SERVICE_EXPECTED_IDENTITIES";
/** Env: comma-separated clusters whose new identity is accepted (a cluster rebuilt on purpose). */
export const ACCEPT_ENV = "PIPELINE_SERVICE_ACCEPT_IDENTITY";
/** Env: the per-cluster bound in seconds. */
export const TIMEOUT_ENV = "PIPELINE_SERVICE_CLUSTER_TIMEOUT_SECONDS";

/** The part of a cluster's kubeconfig reference fencing needs (lib/config.ts KubeconfigRef). */
export interface FenceRef {
    path?: string;
    context?: string;
    secretConfigKey?: string;
}

export interface FenceTarget {
    name: string;
    kubeconfig: FenceRef;
}

/** What a cluster answered. */
export interface FoundIdentity {
    uid: string;
    server: string;
}

/** Fencing runs only against a real engine (not under mocks) and not in render mode. */
export function fencingEnabled(env: NodeJS.ProcessEnv, renderDirectory?: string): boolean {
    return !renderDirectory && !!env.PULUMI_NODEJS_MONITOR;
}

/** The recorded identities, from {@link EXPECTED_ENV}; a malformed value is an error, not "nothing recorded". */
export function parseExpected(value: string | undefined): Record<string, string> {
    if (value === undefined || value.trim() === "") return {};
    let doc: unknown;
    try {
        doc = JSON.parse(value);
    } catch (e) {
        throw new Error(`${EXPECTED_ENV} is not JSON: ${(e as Error).message}`);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc))
        throw new Error(`${EXPECTED_ENV} must be a JSON object of cluster → identity`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
        if (typeof v === "string") {
            if (v !== "") out[k] = v;
        } else if (v !== null && v !== undefined) throw new Error(`${EXPECTED_ENV}: identity of ${k} must be a string`);
    }
    return out;
}

/** The identities of `pulumi stack output clusters --json` (what the wrapper turns into {@link EXPECTED_ENV}). */
export function identitiesFromOutputs(clusters: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (clusters === null || typeof clusters !== "object") return out;
    for (const [name, v] of Object.entries(clusters as Record<string, unknown>)) {
        const id = (v as { identity?: unknown } | null)?.identity;
        if (typeof id === "string" && id !== "") out[name] = id;
    }
    return out;
}

export function parseAccept(value: string | undefined): Set<string> {
    return new Set(
        (value ?? "")
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
    );
}

export function timeoutSeconds(value: string | undefined): number {
    if (value === undefined || value === "") return DEFAULT_TIMEOUT_SECONDS;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
        throw new Error(`${TIMEOUT_ENV} must be a positive number of seconds, got '${value}'`);
    return n;
}

/** The kubeconfig file a `path`/`context` reference reads: the path (relative to the project), else $KUBECONFIG or ~/.kube/config. */
export function kubeconfigFile(ref: FenceRef, projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
    if (ref.path) return path.resolve(projectDir, ref.path.replace(/^~(?=$|\/)/, os.homedir()));
    const fromEnv = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
    return fromEnv ?? path.join(os.homedir(), ".kube", "config");
}

/**
 * Why a cluster's kubeconfig cannot be used, or undefined. `contexts` is the list of context names in the file
 * (undefined when the file does not exist).
 */
export function kubeconfigProblem(
    cluster: string,
    ref: FenceRef,
    file: string,
    contexts: string[] | undefined,
): string | undefined {
    const where = ref.secretConfigKey ? `the kubeconfig in secret config ${ref.secretConfigKey}` : `kubeconfig ${file}`;
    if (contexts === undefined) return `cluster ${cluster}: ${where} does not exist`;
    if (ref.context !== undefined && !contexts.includes(ref.context)) {
        return `cluster ${cluster}: context '${ref.context}' is not in ${where} (it has: ${contexts.join(", ") || "no contexts"})`;
    }
    if (ref.context === undefined && contexts.length === 0) return `cluster ${cluster}: ${where} has no contexts`;
    return undefined;
}

/**
 * Compare what a cluster answered with what the stack recorded. Returns the identity to record, or throws with the
 * cluster, the expected and the found identity and the server that answered.
 */
export function compareIdentity(
    cluster: string,
    expected: string | undefined,
    found: FoundIdentity,
    accept: Set<string>,
): string {
    if (expected === undefined || expected === found.uid || accept.has(cluster)) return found.uid;
    throw new Error(
        `cluster ${cluster}: wrong cluster: this stack deployed ${cluster} to the cluster with identity ` +
            `${expected} (kube-system UID), but its kubeconfig context now reaches ${found.server}, identity ${found.uid}. ` +
            `Nothing was changed. Fix the context, or, if ${cluster} was rebuilt on purpose, run once with ${ACCEPT_ENV}=${cluster}.`,
    );
}

/**
 * `GET /api/v1/namespaces/kube-system` on the cluster of `kc`'s current context, bounded by `timeoutMs` in total
 * (connect, TLS handshake, answer). The error names the cluster, the server and the phase that did not complete.
 */
export async function readIdentity(cluster: string, kc: k8s.KubeConfig, timeoutMs: number): Promise<FoundIdentity> {
    const c = kc.getCurrentCluster();
    if (!c) throw new Error(`cluster ${cluster}: the kubeconfig context '${kc.getCurrentContext()}' has no cluster`);
    const server = c.server;
    const url = new URL(`${server.replace(/\/+$/, "")}/api/v1/namespaces/${IDENTITY_NAMESPACE}`);
    const opts: https.RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    try {
        await kc.applyToHTTPSOptions(opts);
    } catch (e) {
        throw new Error(
            `cluster ${cluster}: cannot use the credentials of context '${kc.getCurrentContext()}' for ${server}: ${(e as Error).message}`,
        );
    }
    const lib = url.protocol === "http:" ? http : https;
    const seconds = `${Math.round(timeoutMs / 100) / 10}s`;
    return new Promise<FoundIdentity>((resolve, reject) => {
        let phase = "TCP connect";
        let done = false;
        const finish = (err: Error | undefined, v?: FoundIdentity) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            if (err) reject(err);
            else resolve(v!);
        };
        const req = lib.request(url, opts, (res) => {
            phase = "response body";
            const chunks: Buffer[] = [];
            res.on("data", (b: Buffer) => chunks.push(b));
            res.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                if (res.statusCode !== 200) {
                    finish(
                        new Error(
                            `cluster ${cluster}: ${server} answered ${res.statusCode} to GET ${url.pathname}: ${body.slice(0, 300)}`,
                        ),
                    );
                    return;
                }
                try {
                    const uid = (JSON.parse(body) as { metadata?: { uid?: string } }).metadata?.uid;
                    if (!uid) throw new Error("no metadata.uid");
                    finish(undefined, { uid, server });
                } catch (e) {
                    finish(
                        new Error(
                            `cluster ${cluster}: ${server} answered GET ${url.pathname} without a namespace UID: ${(e as Error).message}`,
                        ),
                    );
                }
            });
            res.on("error", (e) =>
                finish(new Error(`cluster ${cluster}: reading the answer of ${server}: ${e.message}`)),
            );
        });
        req.on("socket", (s) => {
            s.once("connect", () => {
                phase = url.protocol === "https:" ? "TLS handshake" : "HTTP answer";
            });
            s.once("secureConnect", () => {
                phase = "HTTP answer";
            });
        });
        req.on("error", (e) =>
            finish(new Error(`cluster ${cluster}: the API server ${server} did not answer (${phase}): ${e.message}`)),
        );
        const timer = setTimeout(() => {
            finish(
                new Error(
                    `cluster ${cluster}: the API server ${server} did not answer GET ${url.pathname} within ${seconds} ` +
                        `(stuck in ${phase}); nothing was changed. Check that the cluster is up and reachable, or raise ${TIMEOUT_ENV}.`,
                ),
            );
            req.destroy();
        }, timeoutMs);
        req.end();
    });
}

export interface FenceOptions {
    projectDir: string;
    expected: Record<string, string>;
    accept: Set<string>;
    timeoutMs: number;
    /** The plain kubeconfig of a `secretConfigKey` reference. */
    secretKubeconfig?: (key: string) => string | undefined;
    env?: NodeJS.ProcessEnv;
}

/** The KubeConfig of one target, or the reason it cannot be used (loads @kubernetes/client-node: lib/kubeClient.ts). */
export async function loadTarget(t: FenceTarget, opts: FenceOptions): Promise<k8s.KubeConfig | string> {
    const ref = t.kubeconfig;
    const kc = new (await kubeClient()).KubeConfig();
    const file = kubeconfigFile(ref, opts.projectDir, opts.env);
    try {
        if (ref.secretConfigKey) {
            const text = opts.secretKubeconfig?.(ref.secretConfigKey);
            if (text === undefined) return kubeconfigProblem(t.name, ref, file, undefined)!;
            kc.loadFromString(text);
        } else {
            if (!fs.existsSync(file)) return kubeconfigProblem(t.name, ref, file, undefined)!;
            kc.loadFromFile(file);
        }
    } catch (e) {
        return `cluster ${t.name}: cannot read ${ref.secretConfigKey ? `secret config ${ref.secretConfigKey}` : `kubeconfig ${file}`}: ${(e as Error).message}`;
    }
    const problem = kubeconfigProblem(
        t.name,
        ref,
        file,
        kc.getContexts().map((c) => c.name),
    );
    if (problem) return problem;
    if (ref.context) kc.setCurrentContext(ref.context);
    return kc;
}

/**
 * Check every target in parallel (so the whole check is bounded by one `timeoutMs`); returns cluster → identity
 * to record, or throws one error listing every cluster that failed.
 */
export async function fenceClusters(targets: FenceTarget[], opts: FenceOptions): Promise<Record<string, string>> {
    const results = await Promise.all(
        targets.map(async (t): Promise<[string, string | Error]> => {
            const kc = await loadTarget(t, opts);
            if (typeof kc === "string") return [t.name, new Error(kc)];
            try {
                const found = await readIdentity(t.name, kc, opts.timeoutMs);
                return [t.name, compareIdentity(t.name, opts.expected[t.name], found, opts.accept)];
            } catch (e) {
                return [t.name, e as Error];
            }
        }),
    );
    const errors = results.filter(([, v]) => v instanceof Error).map(([, v]) => (v as Error).message);
    if (errors.length) {
        throw new Error(`cluster identity fencing failed, before any change:\n  ${errors.join("\n  ")}`);
    }
    return Object.fromEntries(results as [string, string][]);
}

/**
 * The program's hook: fence every compute cluster from the environment (recorded identities, accepted clusters,
 * bound), or do nothing under mocks and in render mode. Throws a `pulumi.RunError` (printed without a stack trace).
 */
export async function fenceFromEnvironment(
    clusters: FenceTarget[],
    renderDirectory: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, string>> {
    if (!fencingEnabled(env, renderDirectory)) return {};
    try {
        return await fenceClusters(clusters, {
            projectDir: process.cwd(),
            expected: parseExpected(env[EXPECTED_ENV]),
            accept: parseAccept(env[ACCEPT_ENV]),
            timeoutMs: timeoutSeconds(env[TIMEOUT_ENV]) * 1000,
            secretKubeconfig: (key) =>
                pulumi.runtime.getConfig(key.includes(":") ? key : `${pulumi.getProject()}:${key}`),
            env,
        });
    } catch (e) {
        throw new pulumi.RunError((e as Error).message);
    }
}
