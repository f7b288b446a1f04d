import { createHash } from "node:crypto";

/**
 * Naming rules shared by the components. Pure functions, property-tested in test/naming.test.ts.
 */

/** The longest SyncTarget name kcp's registration accepted: the syncer namespace derived from it must fit 63. */
export const MAX_SYNC_TARGET_NAME = 43;

/**
 * The SyncTarget name for a compute cluster: the cluster name when it is at most 43 characters, otherwise its md5
 * (32 hex characters), exactly as upstream's registration did.
 * Source: openshift-pipelines/pipeline-service@kcp `operator/docs/kcp-registration.md`.
 */
export function syncTargetName(clusterName: string): string {
    return clusterName.length <= MAX_SYNC_TARGET_NAME ? clusterName : createHash("md5").update(clusterName).digest("hex");
}

/**
 * The syncer's namespace on the compute cluster: `kcp-syncer-<syncTarget>-<hash8>`, at most 63 characters.
 * The hash binds it to the kcp workspace path, as `kubectl kcp workload sync` did.
 */
export function syncerNamespace(syncTarget: string, workspace: string): string {
    const hash = createHash("sha256").update(`${workspace}:${syncTarget}`).digest("hex").slice(0, 8);
    return `kcp-syncer-${syncTarget}-${hash}`;
}

/** RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A Pulumi logical name for a child of a cluster component: `<cluster>-<role>`. */
export function childName(cluster: string, role: string): string {
    return `${cluster}-${role}`;
}
