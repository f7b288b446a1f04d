/**
 * Phase 1's workspace pruner (issue 8 §4): nothing else prunes PipelineRuns in the kcp workspaces. The Phase 1 design
 * says "this must be done manually" (pipeline-service@kcp README "Pruning of PipelineRuns and TaskRuns"), because the
 * syncer re-creates a PipelineRun removed on the compute cluster, so the only safe place to delete one is its kcp
 * workspace; the syncer then deletes it downstream.
 *
 * `npm run prune-workspaces -- --stack <s>` (scripts/prune-workspaces.ts) runs it, with `kcp.workspacePruner` of the
 * stack: off by default; `keep` (the newest N finished runs per namespace stay) or `keepSince` (finished runs whose
 * completion is older than that go), as the operator pruner's `keep` and `keep-since`; at most `maxDeletions` per
 * run, oldest first. A run that has not finished (no `Succeeded` condition, or `Unknown`) is never selected. Each
 * delete carries the run's UID as a precondition, so a run re-created under the same name is not touched.
 *
 * Workspaces: every Phase 1 tenant's (`tenants[]`, `<platform>:<tenant>`) and `kcp.consumerWorkspaces`, read and
 * written with the kcp kubeconfig's credentials (`kcpKubeconfig`) at `<kcp origin>/clusters/<workspace>`.
 */
import type * as k8s from "@kubernetes/client-node";
import { kubeClient } from "./kubeClient.js";
import type { PipelineServiceConfig } from "./config.js";
import { durationSeconds } from "./config/rules.js";
import { tenantWorkspace } from "./config/tenants.js";
import { workspaceKubeConfig } from "./tenantDrain.js";

/** A PipelineRun as the pruner reads it. */
export interface PrunableRun {
    namespace: string;
    name: string;
    uid: string;
    /** `status.completionTime` (RFC 3339), else the `Succeeded` condition's `lastTransitionTime`; undefined while it runs. */
    completedAt?: string;
}

/** `kcp.workspacePruner` with the defaults filled in (lib/config/schema.ts). */
export interface PrunePolicy {
    /** The newest N finished runs per namespace stay (N ≥ 1). Exclusive with `keepSince`. */
    keep?: number;
    /** Finished runs completed longer ago than this go (a duration such as `24h`). Exclusive with `keep`. */
    keepSince?: string;
    /** At most this many deletions per run (default 500), the oldest first. */
    maxDeletions: number;
}

interface PipelineRunItem {
    metadata?: { name?: string; namespace?: string; uid?: string };
    status?: {
        completionTime?: string;
        conditions?: { type?: string; status?: string; lastTransitionTime?: string }[];
    };
}

/** The runs of a PipelineRun list, finished ones with their completion time. Pure. */
export function prunableRuns(items: unknown[]): PrunableRun[] {
    return (items as PipelineRunItem[]).map((pr) => {
        const done = pr.status?.conditions?.find((c) => c.type === "Succeeded");
        const finished = done?.status === "True" || done?.status === "False";
        return {
            namespace: pr.metadata?.namespace ?? "",
            name: pr.metadata?.name ?? "",
            uid: pr.metadata?.uid ?? "",
            completedAt: finished ? (pr.status?.completionTime ?? done?.lastTransitionTime ?? "") : undefined,
        };
    });
}

/**
 * The runs to delete under `policy` at `now`: finished runs only; with `keep`, all but the newest `keep` finished
 * runs of each namespace; with `keepSince`, those completed before `now - keepSince` (a run with no completion time
 * is kept); then the oldest first, at most `maxDeletions`. Pure. Throws when neither or both of keep/keepSince is set.
 */
export function selectForPruning(runs: PrunableRun[], policy: PrunePolicy, now: Date): PrunableRun[] {
    if ((policy.keep === undefined) === (policy.keepSince === undefined))
        throw new Error("kcp.workspacePruner: exactly one of keep and keepSince must be set");
    const at = (r: PrunableRun) => (r.completedAt ? Date.parse(r.completedAt) : NaN);
    const finished = runs.filter((r) => r.completedAt !== undefined);
    let chosen: PrunableRun[];
    if (policy.keep !== undefined) {
        const byNs = new Map<string, PrunableRun[]>();
        for (const r of finished) byNs.set(r.namespace, [...(byNs.get(r.namespace) ?? []), r]);
        chosen = [...byNs.values()].flatMap((rs) =>
            // newest first; a run without a readable time counts as newest (kept)
            [...rs].sort((a, b) => (at(b) || Infinity) - (at(a) || Infinity)).slice(policy.keep),
        );
    } else {
        const cutoff = now.getTime() - durationSeconds(policy.keepSince!) * 1000;
        chosen = finished.filter((r) => Number.isFinite(at(r)) && at(r) < cutoff);
    }
    return chosen
        .sort((a, b) => at(a) - at(b) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
        .slice(0, policy.maxDeletions);
}

/** The workspaces the pruner reads: every tenant's and `kcp.consumerWorkspaces`, once each, sorted. Pure. */
export function prunedWorkspaces(cfg: Pick<PipelineServiceConfig, "settings" | "tenants">): string[] {
    const k = cfg.settings.kcp;
    if (!k.enabled) return [];
    return [
        ...new Set([...cfg.tenants.map((t) => tenantWorkspace(k.workspace, t.name)), ...k.consumerWorkspaces]),
    ].sort();
}

/** What one workspace's pass did. */
export interface WorkspaceResult {
    workspace: string;
    /** PipelineRuns seen, and of those still running. */
    seen: number;
    running: number;
    /** `ns/name` of each run deleted (or, with dryRun, that would be). */
    deleted: string[];
    /** `ns/name: reason` of each delete the server refused (e.g. the UID precondition: re-created meanwhile). */
    failed: string[];
}

/**
 * One pass over `workspaces` with the kcp kubeconfig `kc` (its current context): list every PipelineRun
 * (tekton.dev/v1, paged), select with {@link selectForPruning}, delete (UID precondition, background propagation)
 * unless `dryRun`. `maxDeletions` bounds the whole pass, not each workspace. A workspace that serves no PipelineRuns
 * (404) is skipped with `seen: 0`. Each call is bounded by `timeoutMs` (default 15 000). Rejects on any other list
 * error or a list timeout, naming the workspace; a refused or timed-out delete is reported in `failed`.
 */
export async function pruneWorkspaces(
    kc: k8s.KubeConfig,
    workspaces: string[],
    policy: PrunePolicy,
    opts: { now?: Date; dryRun?: boolean; timeoutMs?: number } = {},
): Promise<WorkspaceResult[]> {
    const now = opts.now ?? new Date();
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const bounded = <T>(what: string, p: Promise<T>): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs / 1000}s`)), timeoutMs);
        });
        return Promise.race([p, late]).finally(() => clearTimeout(timer));
    };
    let budget = policy.maxDeletions;
    const out: WorkspaceResult[] = [];
    const { CustomObjectsApi } = await kubeClient();
    for (const ws of workspaces) {
        const api = workspaceKubeConfig(kc, ws).makeApiClient(CustomObjectsApi);
        const items: unknown[] = [];
        let cont: string | undefined;
        try {
            do {
                const page = (await bounded(
                    `workspace ${ws}: listing PipelineRuns`,
                    api.listClusterCustomObject({
                        group: "tekton.dev",
                        version: "v1",
                        plural: "pipelineruns",
                        limit: 500,
                        _continue: cont,
                    }),
                )) as { items?: unknown[]; metadata?: { _continue?: string; continue?: string } };
                items.push(...(page.items ?? []));
                cont = page.metadata?._continue ?? page.metadata?.continue ?? undefined;
            } while (cont);
        } catch (e) {
            if ((e as { code?: number }).code === 404) {
                out.push({ workspace: ws, seen: 0, running: 0, deleted: [], failed: [] });
                continue;
            }
            throw new Error(`workspace ${ws}: listing PipelineRuns failed: ${(e as Error).message}`);
        }
        const runs = prunableRuns(items);
        const chosen = selectForPruning(runs, { ...policy, maxDeletions: budget }, now);
        budget -= chosen.length;
        const result: WorkspaceResult = {
            workspace: ws,
            seen: runs.length,
            running: runs.filter((r) => r.completedAt === undefined).length,
            deleted: [],
            failed: [],
        };
        for (const r of chosen) {
            const id = `${r.namespace}/${r.name}`;
            if (opts.dryRun) {
                result.deleted.push(id);
                continue;
            }
            try {
                await bounded(
                    `workspace ${ws}: deleting ${id}`,
                    api.deleteNamespacedCustomObject({
                        group: "tekton.dev",
                        version: "v1",
                        namespace: r.namespace,
                        plural: "pipelineruns",
                        name: r.name,
                        body: { preconditions: { uid: r.uid }, propagationPolicy: "Background" },
                    }),
                );
                result.deleted.push(id);
            } catch (e) {
                const code = (e as { code?: number }).code;
                if (code === 404) continue; // gone already
                result.failed.push(`${id}: ${code ?? ""} ${(e as Error).message.split("\n")[0]}`.trim());
            }
        }
        out.push(result);
    }
    return out;
}
