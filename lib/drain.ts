/**
 * Draining a compute cluster (`clusters[].state: draining`, issue 11 §2): which PipelineRuns still run there, a
 * bounded wait until none does, and the check that refuses `removed` while some do.
 *
 * A PipelineRun runs until its `Succeeded` condition is `True` or `False` (tektoncd/pipeline
 * docs/pipelineruns.md "Monitoring execution status": `Unknown` while running; no condition yet while pending).
 * Phase 1 places runs through the kcp syncer into its namespaces on the compute cluster, so every namespace is read.
 *
 * The API calls use the cluster's own kubeconfig reference, loaded as identity fencing loads it (lib/fencing.ts
 * loadTarget), each bounded by the fencing bound (PIPELINE_SERVICE_CLUSTER_TIMEOUT_SECONDS, 15 s); the wait polls every
 * {@link POLL_SECONDS} until `drain.timeoutSeconds`. They run only against a real engine, never under mocks or in
 * render mode (lib/fencing.ts fencingEnabled).
 */
import type * as k8s from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";
import * as http from "node:http";
import * as https from "node:https";
import type { DeployedCluster } from "./fleet.js";
import {
    type FenceOptions,
    type FenceTarget,
    fencingEnabled,
    loadTarget,
    TIMEOUT_ENV,
    timeoutSeconds,
} from "./fencing.js";

/** All PipelineRuns of the cluster (tekton.dev/v1, served since Tekton Pipelines v0.44). */
export const PIPELINERUNS_PATH = "/apis/tekton.dev/v1/pipelineruns";
/** How often the drain wait asks again. */
export const POLL_SECONDS = 10;
/** Page size of one list call. */
const PAGE = 500;

export interface RunRef {
    namespace: string;
    name: string;
}

interface PipelineRunList {
    items?: {
        metadata?: { name?: string; namespace?: string };
        status?: { conditions?: { type?: string; status?: string }[] };
    }[];
    metadata?: { continue?: string };
}

/** The PipelineRuns of a list that have not finished (no `Succeeded` condition, or `Succeeded=Unknown`). Pure. */
export function runningPipelineRuns(list: unknown): RunRef[] {
    const items = (list as PipelineRunList | null)?.items ?? [];
    return items
        .filter((pr) => {
            const done = pr.status?.conditions?.find((c) => c.type === "Succeeded");
            return !done || (done.status !== "True" && done.status !== "False");
        })
        .map((pr) => ({ namespace: pr.metadata?.namespace ?? "", name: pr.metadata?.name ?? "" }));
}

/** `ns/name, ...` of at most `max` runs, and how many more. */
export function describeRuns(runs: RunRef[], max = 5): string {
    const shown = runs
        .slice(0, max)
        .map((r) => `${r.namespace}/${r.name}`)
        .join(", ");
    return runs.length > max ? `${shown} and ${runs.length - max} more` : shown;
}

/**
 * One bounded GET against the cluster of `kc`'s current context: the status and the parsed body. The error names the
 * cluster and the server.
 */
export async function getJson(
    cluster: string,
    kc: k8s.KubeConfig,
    urlPath: string,
    timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
    const server = kc.getCurrentCluster()?.server;
    if (!server)
        throw new Error(`cluster ${cluster}: the kubeconfig context '${kc.getCurrentContext()}' has no cluster`);
    const url = new URL(`${server.replace(/\/+$/, "")}${urlPath}`);
    const opts: https.RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    await kc.applyToHTTPSOptions(opts);
    const lib = url.protocol === "http:" ? http : https;
    return new Promise((resolve, reject) => {
        const req = lib.request(url, opts, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (b: Buffer) => chunks.push(b));
            res.on("end", () => {
                clearTimeout(timer);
                const text = Buffer.concat(chunks).toString("utf8");
                let body: unknown = text;
                try {
                    body = JSON.parse(text);
                } catch {
                    /* not JSON: kept as text */
                }
                resolve({ status: res.statusCode ?? 0, body });
            });
            res.on("error", (e) =>
                reject(new Error(`cluster ${cluster}: reading the answer of ${server}: ${e.message}`)),
            );
        });
        const timer = setTimeout(() => {
            req.destroy();
            reject(
                new Error(
                    `cluster ${cluster}: the API server ${server} did not answer GET ${url.pathname} within ${timeoutMs / 1000}s`,
                ),
            );
        }, timeoutMs);
        req.on("error", (e) => {
            clearTimeout(timer);
            reject(
                new Error(
                    `cluster ${cluster}: the API server ${server} did not answer GET ${url.pathname}: ${e.message}`,
                ),
            );
        });
        req.end();
    });
}

/**
 * The PipelineRuns that still run on a cluster, every page. A cluster that does not serve `tekton.dev/v1` (404: no
 * Tekton there) runs none.
 */
export async function listRunning(cluster: string, kc: k8s.KubeConfig, timeoutMs: number): Promise<RunRef[]> {
    const out: RunRef[] = [];
    let cont = "";
    do {
        const q = `?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`;
        const { status, body } = await getJson(cluster, kc, `${PIPELINERUNS_PATH}${q}`, timeoutMs);
        if (status === 404) return [];
        if (status !== 200) {
            throw new Error(
                `cluster ${cluster}: listing PipelineRuns answered ${status}: ${JSON.stringify(body).slice(0, 300)}`,
            );
        }
        out.push(...runningPipelineRuns(body));
        cont = (body as PipelineRunList).metadata?.continue ?? "";
    } while (cont);
    return out;
}

export interface WaitOptions {
    /** The bound of the whole wait (`drain.timeoutSeconds`). */
    timeoutSeconds: number;
    /** The bound of each API call, in milliseconds. */
    requestTimeoutMs: number;
    pollSeconds?: number;
    /** Progress lines (the engine's log). */
    log?: (msg: string) => void;
    /** For tests: the clock and the sleep. */
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
}

/**
 * Wait until no PipelineRun runs on the cluster, asking every `pollSeconds`, at most `timeoutSeconds` (0: ask once).
 * Resolves with the seconds waited; throws naming the cluster, the bound and the runs still there.
 */
export async function waitUntilDrained(
    cluster: string,
    list: () => Promise<RunRef[]>,
    o: WaitOptions,
): Promise<number> {
    const now = o.now ?? Date.now;
    const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const start = now();
    const poll = (o.pollSeconds ?? POLL_SECONDS) * 1000;
    for (;;) {
        const runs = await list();
        const waited = Math.round((now() - start) / 1000);
        if (runs.length === 0) return waited;
        if (now() - start + poll > o.timeoutSeconds * 1000) {
            throw new Error(
                `cluster ${cluster}: draining: ${runs.length} PipelineRun(s) still run there after ${waited}s ` +
                    `(drain.timeoutSeconds ${o.timeoutSeconds}): ${describeRuns(runs)}. Its SyncTarget is unschedulable and the gateway ` +
                    "no longer sends it webhooks, so no new run starts there; run the same up again to keep waiting, raise " +
                    "drain.timeoutSeconds, or cancel those runs.",
            );
        }
        o.log?.(
            `cluster ${cluster}: draining: ${runs.length} PipelineRun(s) still run (${describeRuns(runs, 3)}); waited ${waited}s of ${o.timeoutSeconds}s`,
        );
        await sleep(poll);
    }
}

/** The running PipelineRuns of one configured cluster, through its kubeconfig reference (bounded). */
export async function runningOn(target: FenceTarget, opts: FenceOptions): Promise<RunRef[]> {
    const kc = await loadTarget(target, opts);
    if (typeof kc === "string") throw new Error(kc);
    return listRunning(target.name, kc, opts.timeoutMs);
}

/** The refusal of `state: removed` while runs are still there, or undefined. Pure. */
export function removalRefusal(cluster: string, index: number, runs: RunRef[]): string | undefined {
    if (!runs.length) return undefined;
    return (
        `pipeline-service:clusters[${index}].state: cluster ${cluster} is to be removed, but ${runs.length} PipelineRun(s) still ` +
        `run there (${describeRuns(runs)}); removing it now would delete the TektonConfig under them. Nothing was changed. Set ` +
        "state: draining again and up (it waits until they finish, drain.timeoutSeconds), or wait for them, then set state: removed."
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The program's hooks (index.ts)

/** The options of the API calls, as identity fencing builds them (the project directory, the bound, secret kubeconfigs). */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): FenceOptions {
    return {
        projectDir: process.cwd(),
        expected: {},
        accept: new Set(),
        timeoutMs: timeoutSeconds(env[TIMEOUT_ENV]) * 1000,
        secretKubeconfig: (key) => pulumi.runtime.getConfig(key.includes(":") ? key : `${pulumi.getProject()}:${key}`),
        env,
    };
}

/** What the hooks need of a configured cluster (lib/config.ts ResolvedCluster). */
export interface DrainCluster extends FenceTarget {
    index: number;
    state: string;
    settings: { drain: { timeoutSeconds: number } };
}

/**
 * Before anything is registered: refuse `state: removed` for a cluster the stack still has objects on (recorded as
 * draining) while PipelineRuns run there, one bounded call per such cluster. Nothing happens under mocks or in render
 * mode. Throws a `pulumi.RunError` listing every refusal.
 */
export async function refuseRemovalWhileRunning(
    clusters: DrainCluster[],
    deployed: Record<string, DeployedCluster>,
    renderDirectory: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
    if (!fencingEnabled(env, renderDirectory)) return;
    const removing = clusters.filter((c) => c.state === "removed" && deployed[c.name]?.state === "draining");
    const o = optionsFromEnvironment(env);
    const refusals = await Promise.all(
        removing.map(async (c) => {
            try {
                return removalRefusal(c.name, c.index, await runningOn(c, o));
            } catch (e) {
                return `cluster ${c.name}: cannot check for running PipelineRuns before removing it, so nothing was changed: ${(e as Error).message}`;
            }
        }),
    );
    const problems = refusals.filter((x): x is string => !!x);
    if (problems.length) throw new pulumi.RunError(`removal refused:\n  ${problems.join("\n  ")}`);
}

/**
 * The drain of a cluster with `state: draining`: once every Output in `after` has resolved (its SyncTarget updated
 * unschedulable, the gateway updated without it), wait until no PipelineRun runs there, bounded by
 * `drain.timeoutSeconds`; resolves with the seconds waited. A preview only reports how many run now. Under mocks and
 * in render mode it resolves to 0 at once. A timeout fails the update (the recorded state stays what it was, so the
 * removal stays refused until a drain completes).
 */
export function drainWait(
    c: DrainCluster,
    after: pulumi.Input<unknown>[],
    renderDirectory: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
): pulumi.Output<number> {
    return pulumi.all(after).apply(async () => {
        if (!fencingEnabled(env, renderDirectory)) return 0;
        const o = optionsFromEnvironment(env);
        const bound = c.settings.drain.timeoutSeconds;
        if (pulumi.runtime.isDryRun()) {
            const runs = await runningOn(c, o).catch(() => undefined);
            if (runs)
                pulumi.log.info(
                    `cluster ${c.name}: draining: ${runs.length} PipelineRun(s) run there now; the up waits up to ${bound}s for them`,
                );
            return 0;
        }
        try {
            return await waitUntilDrained(c.name, () => runningOn(c, o), {
                timeoutSeconds: bound,
                requestTimeoutMs: o.timeoutMs,
                log: (m) => pulumi.log.info(m),
            });
        } catch (e) {
            throw new pulumi.RunError((e as Error).message);
        }
    });
}
