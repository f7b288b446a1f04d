/**
 * What OLM leaves behind when a removed cluster's Subscription is deleted (issue 11 §2): the operator's
 * ClusterServiceVersion and the InstallPlans that installed it. OLM does not delete them with the Subscription
 * (OLM's "Uninstall your operator" task, olm.operatorframework.io/docs/tasks/uninstall-operator: delete the
 * Subscription, then the ClusterServiceVersion),
 * and Pulumi never owned them, so `npm run decommission` (scripts/decommission.ts) removes them once the stack records
 * the cluster `removed`.
 *
 * Which objects: in the Subscription's namespace, the CSVs of the Subscription's package (`<package>.v<version>`, OLM's
 * bundle naming, lib/fleet.ts CSV_NAME) and the InstallPlans whose `spec.clusterServiceVersionNames` name only such
 * CSVs (operators.coreos.com/v1alpha1 InstallPlanSpec). An InstallPlan that also installed another package's CSV is
 * kept and reported. Copied CSVs in other namespaces are OLM's own and go with the original.
 */
import type * as k8s from "@kubernetes/client-node";
import { kubeClient } from "./kubeClient.js";

/** The OLM API group/version of CSVs, InstallPlans and Subscriptions. */
export const OLM = { group: "operators.coreos.com", version: "v1alpha1" } as const;

interface Named {
    metadata?: { name?: string; namespace?: string };
}
interface InstallPlanItem extends Named {
    spec?: { clusterServiceVersionNames?: string[] };
}

/** What to delete, and InstallPlans kept because they also name another package's CSV. Pure. */
export interface OlmLeftovers {
    csvs: string[];
    installPlans: string[];
    keptInstallPlans: string[];
}

/** `true` for a CSV name of `pkg` (`<pkg>.v<MAJOR>.<MINOR>.<PATCH>[-<build>]`). Pure. */
export function isCsvOf(pkg: string, name: string): boolean {
    return name.startsWith(`${pkg}.v`) && /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(name.slice(pkg.length + 2));
}

/** The leftovers of package `pkg` among a namespace's CSVs and InstallPlans, each list sorted. Pure. */
export function olmLeftovers(pkg: string, csvs: Named[], installPlans: InstallPlanItem[]): OlmLeftovers {
    const names = (xs: Named[]) => xs.map((x) => x.metadata?.name ?? "").filter(Boolean);
    const ours = names(csvs)
        .filter((n) => isCsvOf(pkg, n))
        .sort();
    const out: OlmLeftovers = { csvs: ours, installPlans: [], keptInstallPlans: [] };
    for (const ip of installPlans) {
        const name = ip.metadata?.name;
        const listed = ip.spec?.clusterServiceVersionNames ?? [];
        if (!name || !listed.some((c) => isCsvOf(pkg, c))) continue;
        (listed.every((c) => isCsvOf(pkg, c)) ? out.installPlans : out.keptInstallPlans).push(name);
    }
    out.installPlans.sort();
    out.keptInstallPlans.sort();
    return out;
}

/** One bounded call: rejects after `ms` naming `what`. */
function bounded<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Reads the leftovers of `pkg` in `namespace` on the cluster of `kc`, and deletes them unless `dryRun`. Refuses
 * (rejects, deleting nothing) while a Subscription of `pkg` still exists there, since OLM would reinstall the CSV.
 * Each call is bounded by `timeoutMs` (default 15 000). Resolves to what was (or would be) deleted.
 */
export async function cleanUpOlm(
    kc: k8s.KubeConfig,
    cluster: string,
    pkg: string,
    namespace: string,
    opts: { dryRun?: boolean; timeoutMs?: number } = {},
): Promise<OlmLeftovers> {
    const ms = opts.timeoutMs ?? 15_000;
    const api = kc.makeApiClient((await kubeClient()).CustomObjectsApi);
    const list = async (plural: string) =>
        (
            (await bounded(
                `cluster ${cluster}: listing ${plural} in ${namespace}`,
                ms,
                api.listNamespacedCustomObject({ ...OLM, namespace, plural }),
            )) as { items?: unknown[] }
        ).items ?? [];
    const subs = (await list("subscriptions")) as { metadata?: { name?: string }; spec?: { name?: string } }[];
    const live = subs.filter((s) => s.spec?.name === pkg).map((s) => s.metadata?.name);
    if (live.length)
        throw new Error(
            `cluster ${cluster}: Subscription ${live.join(", ")} of ${pkg} still exists in ${namespace}, so OLM would reinstall ` +
                "its CSV; remove the cluster first (clusters[].state: removed, then up), then run this again",
        );
    const found = olmLeftovers(
        pkg,
        (await list("clusterserviceversions")) as Named[],
        (await list("installplans")) as InstallPlanItem[],
    );
    if (opts.dryRun) return found;
    for (const [plural, names] of [
        ["clusterserviceversions", found.csvs],
        ["installplans", found.installPlans],
    ] as const) {
        for (const name of names) {
            try {
                await bounded(
                    `cluster ${cluster}: deleting ${plural}/${name}`,
                    ms,
                    api.deleteNamespacedCustomObject({ ...OLM, namespace, plural, name }),
                );
            } catch (e) {
                if ((e as { code?: number }).code !== 404) throw e;
            }
        }
    }
    return found;
}
