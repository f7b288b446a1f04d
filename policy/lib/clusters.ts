/**
 * Stack-level view of compute clusters. A compute cluster is one kubernetes provider: the provider a
 * `pipeline-service:cluster:ComputeCluster` component owns (its child `pulumi:providers:kubernetes`), or any
 * provider that manages a TektonConfig. The kcp workspace provider, which carries only SyncTargets, is not one.
 */
import type { PolicyResource } from "@pulumi/policy";
import { is, KIND, KUBERNETES_PROVIDER_TYPE } from "./k8s.js";
import { known } from "./unknown.js";

export const COMPUTE_CLUSTER_TYPE = "pipeline-service:cluster:ComputeCluster";

export interface ComputeClusterRef {
    /** URN of the cluster's kubernetes provider. */
    providerUrn: string;
    /** A readable name: the ComputeCluster component's name, else the provider's. */
    name: string;
    /** URN to report violations against: the component when there is one, else the provider. */
    reportUrn: string;
}

/** The provider URN of a resource, if the engine gave one. */
export function providerUrnOf(r: Pick<PolicyResource, "provider">): string | undefined {
    return known(() => r.provider?.urn, undefined);
}

/** The last URN segment (the resource's name). */
export function urnName(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/** Every compute cluster of the stack, in resource order. */
export function computeClusters(resources: PolicyResource[]): ComputeClusterRef[] {
    const byProvider = new Map<string, ComputeClusterRef>();
    for (const component of resources.filter((r) => r.type === COMPUTE_CLUSTER_TYPE)) {
        const provider = resources.find((r) => r.type === KUBERNETES_PROVIDER_TYPE && r.parent?.urn === component.urn);
        const providerUrn = provider?.urn;
        if (providerUrn && !byProvider.has(providerUrn)) {
            byProvider.set(providerUrn, { providerUrn, name: component.name, reportUrn: component.urn });
        }
    }
    for (const r of resources) {
        if (!is(r.type, KIND.TektonConfig)) continue;
        const providerUrn = providerUrnOf(r);
        if (providerUrn && !byProvider.has(providerUrn)) {
            byProvider.set(providerUrn, { providerUrn, name: urnName(providerUrn), reportUrn: providerUrn });
        }
    }
    return [...byProvider.values()];
}

/** The resources a provider manages. */
export function managedBy(resources: PolicyResource[], providerUrn: string): PolicyResource[] {
    return resources.filter((r) => providerUrnOf(r) === providerUrn);
}
