/**
 * Offboarding a tenant drains it first (issue 12 §1): when a tenant the stack deployed (its `tenantsDeployed` stack
 * output, which the wrapper passes as {@link DEPLOYED_TENANTS_ENV}) is no longer in `tenants[]`, the update waits,
 * bounded by `drain.timeoutSeconds`, until none of its PipelineRuns runs, before anything is registered; at the bound
 * it fails naming the runs, and nothing is changed (the tenant's objects stay until a later up finds it drained). A
 * preview only reports how many run. Tekton Results keeps what it archived: the program never deletes Results data.
 *
 * Where the runs are read: Phase 1, in the tenant's kcp workspace (`<kcp>/clusters/<workspace>`, the kcp kubeconfig's
 * credentials), where the syncer writes their status back; ADR-0009, in the tenant's namespace on each cluster it was
 * placed on. A PipelineRun runs until its `Succeeded` condition is True or False (lib/drain.ts runningPipelineRuns).
 * The calls are bounded as identity fencing's (lib/fencing.ts, 15 s each) and happen only against a real engine,
 * never under mocks or in render mode.
 */
import type * as k8s from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";
import type { KubeconfigRef, PipelineServiceConfig } from "./config.js";
import {
    describeRuns,
    getJson,
    optionsFromEnvironment,
    type RunRef,
    runningPipelineRuns,
    waitUntilDrained,
} from "./drain.js";
import { type FenceOptions, fencingEnabled, loadTarget } from "./fencing.js";

/** The `tenantsDeployed` stack output, as JSON (scripts/pulumi-wrapper.sh). */
export const DEPLOYED_TENANTS_ENV = "PIPELINE_SERVICE_DEPLOYED_TENANTS";

/** One tenant as the stack recorded it (index.ts `tenantsDeployed`). */
export interface DeployedTenant {
    pool: string;
    mode: "kcp-workspace" | "namespace";
    /** Phase 1: `[<workspace path>]`; ADR-0009: `<cluster>/<namespace>` per cluster. */
    placement: string[];
}

/** The deployed tenants of {@link DEPLOYED_TENANTS_ENV}; {} when unset or unreadable. Pure. */
export function parseDeployedTenants(value: string | undefined): Record<string, DeployedTenant> {
    if (!value) return {};
    try {
        const v = JSON.parse(value) as unknown;
        if (v === null || typeof v !== "object" || Array.isArray(v)) return {};
        const out: Record<string, DeployedTenant> = {};
        for (const [name, t] of Object.entries(v as Record<string, Partial<DeployedTenant>>)) {
            if (!t || (t.mode !== "kcp-workspace" && t.mode !== "namespace") || !Array.isArray(t.placement)) continue;
            out[name] = {
                pool: String(t.pool ?? ""),
                mode: t.mode,
                placement: t.placement.filter((x): x is string => typeof x === "string"),
            };
        }
        return out;
    } catch {
        return {};
    }
}

/** The deployed tenants that the configuration no longer has: the ones being offboarded. Pure. */
export function offboarded(
    cfg: Pick<PipelineServiceConfig, "tenants">,
    deployed: Record<string, DeployedTenant>,
): [string, DeployedTenant][] {
    const names = new Set(cfg.tenants.map((t) => t.name));
    return Object.entries(deployed)
        .filter(([name]) => !names.has(name))
        .sort(([a], [b]) => a.localeCompare(b));
}

/**
 * A copy of `kc` whose current cluster's server is `<origin of its server>/clusters/<workspace>`. The copy is an
 * instance of `kc`'s own class, so this needs no import of @kubernetes/client-node (lib/kubeClient.ts).
 */
export function workspaceKubeConfig(kc: k8s.KubeConfig, workspace: string): k8s.KubeConfig {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`the kcp kubeconfig context '${kc.getCurrentContext()}' has no cluster`);
    const out = new (kc.constructor as new () => k8s.KubeConfig)();
    out.loadFromOptions({
        clusters: [{ ...cluster, server: `${new URL(cluster.server).origin}/clusters/${workspace}` }],
        users: kc.users,
        contexts: kc.contexts,
        currentContext: kc.currentContext,
    });
    return out;
}

/** The unfinished PipelineRuns at `path` (a list URL), following `continue`; a 404 (nothing served there) is none. */
async function runningAt(what: string, kc: k8s.KubeConfig, path: string, timeoutMs: number): Promise<RunRef[]> {
    const out: RunRef[] = [];
    let cont = "";
    do {
        const { status, body } = await getJson(
            what,
            kc,
            `${path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`,
            timeoutMs,
        );
        if (status === 404) return out;
        if (status !== 200)
            throw new Error(`${what}: listing PipelineRuns answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
        out.push(...runningPipelineRuns(body));
        cont = (body as { metadata?: { continue?: string } }).metadata?.continue ?? "";
    } while (cont);
    return out;
}

/** The running PipelineRuns of a deployed tenant (its workspace, or its namespace on each cluster it was on). */
export async function tenantRuns(
    name: string,
    t: DeployedTenant,
    cfg: Pick<PipelineServiceConfig, "kcpKubeconfig" | "clusters">,
    o: FenceOptions,
): Promise<RunRef[]> {
    const load = async (target: string, ref: KubeconfigRef | undefined) => {
        if (!ref) throw new Error(`tenant ${name}: no kubeconfig reaches ${target}`);
        const kc = await loadTarget({ name: target, kubeconfig: ref }, o);
        if (typeof kc === "string") throw new Error(`tenant ${name}: ${kc}`);
        return kc;
    };
    if (t.mode === "kcp-workspace") {
        const runs = await Promise.all(
            t.placement.map(async (ws) =>
                runningAt(
                    `tenant ${name} (workspace ${ws})`,
                    workspaceKubeConfig(await load("kcp", cfg.kcpKubeconfig), ws),
                    "/apis/tekton.dev/v1/pipelineruns",
                    o.timeoutMs,
                ),
            ),
        );
        return runs.flat();
    }
    const runs = await Promise.all(
        t.placement.map(async (p) => {
            const [cluster, ns] = p.split("/") as [string, string];
            const c = cfg.clusters.find((x) => x.name === cluster);
            const found = await runningAt(
                `tenant ${name} (cluster ${cluster})`,
                await load(cluster, c?.kubeconfig),
                `/apis/tekton.dev/v1/namespaces/${ns}/pipelineruns`,
                o.timeoutMs,
            );
            return found.map((r) => ({ ...r, namespace: `${cluster}/${r.namespace}` }));
        }),
    );
    return runs.flat();
}

/**
 * Before anything is registered: for every tenant being offboarded, wait (bounded by `drain.timeoutSeconds`) until
 * none of its PipelineRuns runs. A preview reports the count. Throws a `pulumi.RunError` naming the tenant, the runs
 * and the fix at the bound, or when its runs cannot be read. Nothing happens under mocks or in render mode.
 */
export async function drainOffboardedTenants(
    cfg: PipelineServiceConfig,
    renderDirectory: string | undefined,
    env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
    if (!fencingEnabled(env, renderDirectory)) return;
    const leaving = offboarded(cfg, parseDeployedTenants(env[DEPLOYED_TENANTS_ENV]));
    if (!leaving.length) return;
    const o = optionsFromEnvironment(env);
    const bound = cfg.settings.drain.timeoutSeconds;
    await Promise.all(
        leaving.map(async ([name, t]) => {
            const list = () => tenantRuns(name, t, cfg, o);
            try {
                if (pulumi.runtime.isDryRun()) {
                    const runs = await list();
                    pulumi.log.info(
                        `tenant ${name}: offboarding: ${runs.length} PipelineRun(s) run now${runs.length ? ` (${describeRuns(runs, 3)})` : ""}; ` +
                            `the up waits up to ${bound}s for them before deleting the tenant`,
                    );
                    return;
                }
                await waitUntilDrained(`tenant ${name}`, list, {
                    timeoutSeconds: bound,
                    requestTimeoutMs: o.timeoutMs,
                    log: (m) => pulumi.log.info(m),
                });
            } catch (e) {
                const msg = (e as Error).message.replace(/: draining: .*$/s, "");
                const runs = await list().catch(() => undefined);
                throw new pulumi.RunError(
                    runs?.length
                        ? `tenant ${name} is being offboarded, but ${runs.length} PipelineRun(s) still run after waiting up to ${bound}s ` +
                              `(drain.timeoutSeconds): ${describeRuns(runs)}. Nothing was changed. Revoke the tenant's edit and admin roles ` +
                              "first (tenants[].access) so no new run starts, then run the same up again to keep waiting, raise " +
                              "drain.timeoutSeconds, or cancel those runs."
                        : `tenant ${name}: cannot check for running PipelineRuns before offboarding it, so nothing was changed: ${msg}`,
                );
            }
        }),
    );
}
