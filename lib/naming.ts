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
    return clusterName.length <= MAX_SYNC_TARGET_NAME
        ? clusterName
        : createHash("md5").update(clusterName).digest("hex");
}

/**
 * Lower-case base36 of the SHA-224 of `input`, the hash kcp v0.11.0 puts in generated names
 * (`strings.ToLower(base36.EncodeBytes(sha256.Sum224(...)))`; github.com/martinlindhe/base36@v1.1.1 `EncodeBytes`:
 * big-endian big integer in base 36, one leading '0' per leading zero byte).
 * Source: kcp-dev/kcp pkg/cliplugins/workload/plugin/sync.go `getSyncerID` and
 * pkg/cliplugins/bind/plugin/bind_compute.go `apiBindingName` @v0.11.0.
 */
export function kcpHash(input: string): string {
    const digest = createHash("sha224").update(input).digest();
    let out = BigInt(`0x${digest.toString("hex")}`).toString(36);
    for (const b of digest) {
        if (b !== 0) break;
        out = `0${out}`;
    }
    return out;
}

/**
 * kcp v0.11.0's syncer ID, `kcp-syncer-<syncTarget>-<first 8 of kcpHash(key)>` (sync.go `getSyncerID`, where the key
 * is the SyncTarget's UID). It names every object of the syncer, in kcp and on the compute cluster.
 */
export function syncerId(syncTarget: string, key: string): string {
    return `kcp-syncer-${syncTarget}-${kcpHash(key).slice(0, 8)}`;
}

/** The DNS Role/RoleBinding name: the syncer ID with `syncer` replaced by `dns` once (sync.go `renderSyncerResources`). */
export function syncerDnsId(id: string): string {
    return id.replace("syncer", "dns");
}

/**
 * The syncer's ID (and namespace on the compute cluster) as this program names it: {@link syncerId} with the key
 * `<workspace>:<syncTarget>` instead of the SyncTarget's UID. The generator hashes the UID, which exists only once kcp
 * has created the SyncTarget and changes whenever it is re-created; hashing the SyncTarget's logical-cluster path and
 * name keeps the name known at preview (the ClusterSecretStore conditions need it) and stable, with the same shape
 * and length (at most 11 + 43 + 1 + 8 = 63 characters).
 */
export function syncerNamespace(syncTarget: string, workspace: string): string {
    return syncerId(syncTarget, `${workspace}:${syncTarget}`);
}

/**
 * The APIBinding `kubectl kcp bind compute` v0.11.0 creates for the APIExport `<exportPath>:<exportName>`:
 * `<exportName>-<first 8 of kcpHash("/clusters/<exportPath>")>` (bind_compute.go `apiBindingName`, the path's
 * `RequestPath()`); the prefix is cut to 253 - 1 - 8 characters.
 */
export function apiBindingName(exportPath: string, exportName: string): string {
    return `${exportName.slice(0, 253 - 1 - 8)}-${kcpHash(`/clusters/${exportPath}`).slice(0, 8)}`;
}

/**
 * The Placement `kubectl kcp bind compute <locationWorkspace>` v0.11.0 creates with its default selectors (namespace
 * selector `labels.Everything().String()` = "", location selectors [""]):
 * `placement-<first 8 of kcpHash(nsSelector + locationSelectors.join(",") + locationWorkspace)>` (bind_compute.go `Complete`).
 */
export function placementName(
    locationWorkspace: string,
    namespaceSelector = "",
    locationSelectors: string[] = [""],
): string {
    return `placement-${kcpHash(namespaceSelector + locationSelectors.join(",") + locationWorkspace).slice(0, 8)}`;
}

/** RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The syncer's namespace for a compute cluster, from its name and the kcp workspace: the one place that composes
 * {@link syncTargetName} and {@link syncerNamespace} (the ClusterSecretStore conditions and the syncer both use it).
 */
export function clusterSyncerNamespace(clusterName: string, workspace: string): string {
    return syncerNamespace(syncTargetName(clusterName), workspace);
}

/** The gateway's namespace per mode: HAProxy (`single`) or SprayProxy (`fanout`, konflux-ci/sprayproxy `config/`). */
export const GATEWAY_NAMESPACE = { single: "gateway", fanout: "sprayproxy" } as const;

/**
 * The PaC controller route URL of a member cluster, `https://pipelines-as-code-controller-openshift-pipelines.<apps
 * domain>` (the operator creates the Route `pipelines-as-code-controller` in `openshift-pipelines`); a gateway backend.
 */
export function pacRouteUrl(appsDomain: string): string {
    return `https://pipelines-as-code-controller-openshift-pipelines.${appsDomain}`;
}

/** A Pulumi logical name for a child of a cluster component: `<cluster>-<role>`. */
export function childName(cluster: string, role: string): string {
    return `${cluster}-${role}`;
}

/**
 * The label that puts a compute cluster in a resource pool (`clusters[].pool`): on its kcp SyncTarget, on the pool's
 * kcp Location (which selects SyncTargets by it) and on the tenant objects of that pool (components/tenants.ts).
 */
export const POOL_LABEL = "pipeline-service.io/pool";

/** The label every object of a tenant carries: the tenant's name (`tenants[].name`); the RBAC policies read it. */
export const TENANT_LABEL = "pipeline-service.io/tenant";

/** The ClusterRole a tenant role (`admin`, `edit`, `view`) is bound to, in a tenant workspace or on a compute cluster. */
export function tenantRoleName(role: string): string {
    return `pipeline-service-tenant-${role}`;
}

/**
 * The repository path of a cluster's rendered platform in `gitops` mode: `<gitops.path>/<cluster>`. Pulumi's
 * render-only provider writes there (below a checkout of the repository), and the root Application syncs it.
 */
export function platformPath(gitopsPath: string, cluster: string): string {
    return `${gitopsPath.replace(/\/+$/, "")}/${cluster}`;
}
