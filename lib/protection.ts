/**
 * Protection of the platform objects whose loss hurts, keyed on the environment (issue 11 §1; upstream-conformance
 * §1.11, §4 item 10).
 *
 * In `staging` and `prod`, a per-cluster resource transformation marks:
 * - `protect`: every Namespace (tenants' runs live in `openshift-pipelines`), the TektonConfig (deleting it makes the
 *   operator remove Tekton under running PipelineRuns), the OLM Subscription and CatalogSource, the Chains signing
 *   secret's ExternalSecret and the SyncTarget. `pulumi destroy`, dropping a cluster from `clusters[]` or renaming a
 *   component then fails with Pulumi's "protected" error instead of deleting them.
 * - `retainOnDelete`: the objects an operator owns past us, so that a deliberate removal drops them from the state and
 *   leaves them on the cluster: the Subscription and CatalogSource (OLM keeps the installed CSV, and removing them is
 *   an OLM uninstall, not ours), the Chains signing secret's ExternalSecret (its Secret is `creationPolicy: Orphan`,
 *   infra-deployments `components/pipeline-service/base/external-secrets/.../signing-secret.yaml`) and the
 *   `openshift-pipelines` Namespace.
 *
 * Leaving the stack (README "Draining and removing a compute cluster"): while a cluster is `draining` or `removed`
 * (`clusters[i].state`), in every environment, the `openshift-pipelines` Namespace and the Chains signing secret's
 * ExternalSecret are `retainOnDelete` ({@link keptOnRemoval}): the removal deletes the platform objects but leaves
 * the namespace where tenants' runs and records live, and the signing key. In staging and prod the protections must
 * be lifted in the state before anything can be deleted: `clusters[i].decommission: true` with `state: draining`,
 * `pulumi up`, then `state: removed` and `pulumi up` (lib/fleet.ts refuses the removal before). `local` and `dev` are
 * never protected: their clusters are disposable.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterState } from "./fleet.js";
import { PIPELINES_NAMESPACE } from "./k8s.js";

/** Environments whose platform objects are protected. */
export const PROTECTED_ENVIRONMENTS: ReadonlySet<string> = new Set(["staging", "prod"]);

/** The ExternalSecret of the per-cluster Chains signing key (constraint 27). */
export const CHAINS_SIGNING_EXTERNAL_SECRET = "tekton-chains-signing-secret";

/** What protection one object gets. */
export interface Protection {
    protect: boolean;
    retainOnDelete: boolean;
}

const NONE: Protection = { protect: false, retainOnDelete: false };

/**
 * The protection of one Kubernetes object, from its Pulumi type token (`kubernetes:<group>/<version>:<Kind>`) and
 * `metadata.name` (undefined when not known at registration). Pure.
 */
export function protectionFor(type: string, name: string | undefined): Protection {
    const m = /^kubernetes:(?:([a-z0-9.-]+)\/)?[a-z0-9]+:([A-Za-z]+)$/.exec(type);
    if (!m) return NONE;
    const [, group = "core", kind] = m;
    switch (`${group}/${kind}`) {
        case "core/Namespace":
            return { protect: true, retainOnDelete: name === PIPELINES_NAMESPACE };
        case "operator.tekton.dev/TektonConfig":
        case "workload.kcp.io/SyncTarget":
            return { protect: true, retainOnDelete: false };
        case "operators.coreos.com/Subscription":
        case "operators.coreos.com/CatalogSource":
            return { protect: true, retainOnDelete: true };
        case "external-secrets.io/ExternalSecret":
            return name === CHAINS_SIGNING_EXTERNAL_SECRET ? { protect: true, retainOnDelete: true } : NONE;
        default:
            return NONE;
    }
}

/**
 * Whether an object stays on the cluster when the cluster leaves the stack (`draining` or `removed`): the
 * `openshift-pipelines` Namespace and the Chains signing secret's ExternalSecret (its Secret is `creationPolicy:
 * Orphan`). Pure.
 */
export function keptOnRemoval(type: string, name: string | undefined): boolean {
    return (
        (type === "kubernetes:core/v1:Namespace" && name === PIPELINES_NAMESPACE) ||
        (/^kubernetes:external-secrets\.io\/[a-z0-9]+:ExternalSecret$/.test(type) &&
            name === CHAINS_SIGNING_EXTERNAL_SECRET)
    );
}

/** Inputs of {@link protectionTransformation}. */
export interface ProtectionOptions {
    /** The stack's environment: only {@link PROTECTED_ENVIRONMENTS} are protected. */
    environment: string;
    /** `clusters[i].decommission`: lift the protections of this cluster's objects (before its removal). */
    decommission?: boolean;
    /** `clusters[i].state` (default `active`): draining or removed keeps {@link keptOnRemoval} objects. */
    state?: ClusterState;
}

/**
 * A resource transformation that sets `protect` and `retainOnDelete` per {@link protectionFor} in the protected
 * environments (unless decommissioning), and `retainOnDelete` on the {@link keptOnRemoval} objects of a cluster that
 * is draining or removed. Returns `undefined` (no change) for objects that need neither. An explicit `protect` or
 * `retainOnDelete` in the resource options is kept.
 */
export function protectionTransformation(o: ProtectionOptions): pulumi.ResourceTransformation {
    const active = PROTECTED_ENVIRONMENTS.has(o.environment) && !o.decommission;
    const leaving = o.state === "draining" || o.state === "removed";
    return (args) => {
        if ((!active && !leaving) || !args.type.startsWith("kubernetes:")) return undefined;
        const md = (args.props as { metadata?: { name?: unknown } }).metadata;
        const name = md && typeof md.name === "string" ? md.name : undefined;
        const base = active ? protectionFor(args.type, name) : NONE;
        const p = leaving && keptOnRemoval(args.type, name) ? { protect: base.protect, retainOnDelete: true } : base;
        if (!p.protect && !p.retainOnDelete) return undefined;
        return {
            props: args.props,
            opts: {
                ...args.opts,
                protect: args.opts.protect ?? p.protect,
                retainOnDelete: args.opts.retainOnDelete ?? p.retainOnDelete,
            },
        };
    };
}
