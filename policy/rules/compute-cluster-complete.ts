import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { computeClusters, managedBy } from "../lib/clusters.js";
import { ruleConfig } from "../lib/config.js";
import { arr, at, is, KIND, metadataOf, rec } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";
import { containersOf, podSpecOf } from "../lib/workloads.js";

const DEFAULTS = { requireSyncer: true };

/** The label buildSyncTarget (components/kcpSyncer.ts) puts on each SyncTarget: the compute cluster it belongs to. */
export const SYNC_TARGET_CLUSTER_LABEL = "pipeline-service.io/compute-cluster";

/** Names of the compute clusters the stack registers a SyncTarget for (kcp enabled for them, Phase 1). */
export function kcpClusterNames(resources: PolicyResource[]): Set<string> {
    const out = new Set<string>();
    for (const r of resources) {
        if (!is(r.type, KIND.SyncTarget)) continue;
        const name = known(() => rec(rec(r.props.metadata)?.labels)?.[SYNC_TARGET_CLUSTER_LABEL], undefined);
        if (typeof name === "string") out.add(name);
    }
    return out;
}

/**
 * The TektonConfig specs of every compute cluster synced by kcp (Phase 1), with the cluster's name; unknown specs
 * (preview) are skipped. The iteration the Phase 1 rules share.
 */
export function kcpSyncedTektonConfigs(
    resources: PolicyResource[],
): { cluster: string; urn: string; spec: Record<string, unknown> }[] {
    const withKcp = kcpClusterNames(resources);
    const out: { cluster: string; urn: string; spec: Record<string, unknown> }[] = [];
    for (const cluster of computeClusters(resources).filter((c) => withKcp.has(c.name))) {
        for (const tc of managedBy(resources, cluster.providerUrn).filter((r) => is(r.type, KIND.TektonConfig))) {
            const spec = known(() => rec(tc.props.spec), undefined);
            if (spec) out.push({ cluster: cluster.name, urn: tc.urn, spec });
        }
    }
    return out;
}

function subscribesTo(r: PolicyResource, pkg: string): boolean {
    return is(r.type, KIND.Subscription) && known(() => at(r.props, "spec", "name") === pkg, false);
}

export function isSyncerDeployment(r: PolicyResource): boolean {
    if (!is(r.type, KIND.Deployment)) return false;
    return known(
        () =>
            (metadataOf(r.props).name ?? "").startsWith("kcp-syncer") ||
            containersOf(podSpecOf(r.type, r.props)).some(
                (c) =>
                    c.name === "kcp-syncer" ||
                    arr(rec(c.container)?.command).some((x) => typeof x === "string" && x.endsWith("/syncer")),
            ),
        false,
    );
}

/** What a compute cluster must run, as [description, test, fix]. */
const PARTS: [string, (r: PolicyResource) => boolean, string][] = [
    [
        "an Argo CD Application",
        (r) => is(r.type, KIND.Application),
        "the ArgoCd component (components/argocd.ts) with the cluster's provider",
    ],
    [
        "the OpenShift GitOps Subscription",
        (r) => subscribesTo(r, "openshift-gitops-operator"),
        "the ArgoCd component (components/argocd.ts)",
    ],
    [
        "the OpenShift Pipelines Subscription",
        (r) => subscribesTo(r, "openshift-pipelines-operator-rh"),
        "the OpenShiftPipelines component (components/openshiftPipelines.ts)",
    ],
    [
        "a TektonConfig",
        (r) => is(r.type, KIND.TektonConfig),
        "the OpenShiftPipelines component (components/openshiftPipelines.ts)",
    ],
    [
        "a kcp syncer Deployment",
        isSyncerDeployment,
        "the KcpSyncer component (components/kcpSyncer.ts), with pipeline-service:kcp.enabled true",
    ],
];

/** Constraint 17 (and 1, 6, 42 as deployed units): every compute cluster is complete. */
const policy: StackValidationPolicy = {
    name: "compute-cluster-complete",
    description:
        "Every compute cluster (each kubernetes provider of a ComputeCluster component or with a " +
        "TektonConfig) must get its own Argo CD (Application and openshift-gitops-operator Subscription), " +
        "OpenShift Pipelines (Subscription and TektonConfig) and, in Phase 1, a kcp syncer Deployment: on every cluster " +
        "when requireSyncer is true (pipeline-service:kcp.enabled), and on every cluster the stack registers a SyncTarget " +
        "for in any case, so a stack that follows ADR-0009 (kcp off) passes. Source: pipeline-service " +
        "operator/docs/operations.md and cluster-setup install.sh @kcp (inventory constraint 17), ADR-0009.",
    configSchema: {
        properties: {
            requireSyncer: {
                type: "boolean",
                default: DEFAULTS.requireSyncer,
                description: "Require a kcp syncer Deployment per cluster (pipeline-service:kcp.enabled).",
            },
        },
        required: [],
    },
    validateStack: (args, report) => {
        const cfg = ruleConfig(args, DEFAULTS);
        const withKcp = kcpClusterNames(args.resources);
        for (const cluster of computeClusters(args.resources)) {
            const managed = managedBy(args.resources, cluster.providerUrn);
            const parts = cfg.requireSyncer || withKcp.has(cluster.name) ? PARTS : PARTS.slice(0, -1);
            for (const [what, test, fix] of parts) {
                if (!managed.some(test)) {
                    report(
                        violation(
                            `Compute cluster '${cluster.name}' gets no ${what.replace(/^(an?|the) /, "")} from this stack, so it is not a complete Pipeline Service cluster`,
                            `Create ${what} through ${fix}`,
                        ),
                        cluster.reportUrn,
                    );
                }
            }
        }
    },
};

export default policy;
