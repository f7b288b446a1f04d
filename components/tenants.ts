/**
 * Tenants, resource pools and access as code (issue 12). Every object comes from a pure, exported `build*` function;
 * the components below only register them (`{ parent: this }`, providers explicit).
 *
 * What upstream did, and what this program does (../shared/docs/upstream-conformance.md §3, lifecycle table rows
 * "Tenant onboarding", "Granting and revoking access", "Quotas", "Resource pools", and §4 item 7):
 *
 * - **Phase 1 (kcp.enabled)**: a tenant is a kcp workspace `<platform>:<name>` (a `tenancy.kcp.io/v1alpha1`
 *   Workspace of type `root:universal` in the platform's workspace, as `npm run cluster -- up` creates them,
 *   scripts/cluster.ts `ensureWorkspaces`), bound to the compute workspace's `kubernetes` APIExport and placed on its
 *   pool's Location ({@link KcpConsumerWorkspace}, the APIBinding and Placement `kubectl kcp bind compute` creates,
 *   upstream-conformance §1.7 gap 5), plus the workspace RBAC of its groups (ClusterRoles and ClusterRoleBindings
 *   inside the tenant's own workspace, which kcp confines to it). A pool is a kcp `Location` in the compute workspace
 *   selecting the SyncTargets labelled with it ({@link POOL_LABEL}, from `clusters[].pool`).
 * - **ADR-0009 (kcp off)**: a tenant is a namespace `<name>` on every compute cluster of its pool with the
 *   `appstudio-pipeline` ServiceAccount, bound to `appstudio-pipelines-runner` and allowed to use
 *   `appstudio-pipelines-scc` (ADR-0025: what CodeReadyToolchain does for Konflux tenants, inventory §2.13), a
 *   ResourceQuota (count/pipelineruns.tekton.dev, pods, requests.cpu, requests.memory) and a LimitRange, plus
 *   RoleBindings of its groups to the tenant roles.
 *
 * **Pools and the default pod template.** infra-deployments puts nodes in a pool through TektonConfig
 * `config-defaults` `default-pod-template` (nodeSelector `konflux-tenants`, upstream-conformance §3 "Resource pools";
 * inventory §2.3 infra HEAD extras). That ConfigMap is Tekton's, one per cluster: it applies to every PipelineRun on
 * the cluster and cannot differ per namespace. So the honest per-tenant pool this program offers is a set of
 * compute clusters: a tenant's namespace exists only on its pool's clusters (ADR-0009), and its Placement selects
 * only its pool's Location (Phase 1). Which nodes inside a cluster run the pods stays the cluster-wide default pod
 * template, as upstream has it.
 *
 * **Access.** Every tenant role is one of this program's ClusterRoles (`pipeline-service-tenant-{admin,edit,view}`,
 * {@link buildTenantRoleRules}: explicit verbs and resources, no wildcard, no escalate/bind/impersonate, secrets only
 * where the binding is confined to the tenant) and every subject is bound by one binding per role, so granting or
 * revoking is an edit of `tenants[].access.<role>` that changes only that binding. Platform roles
 * ({@link PlatformAccess}, every compute cluster): the SRE group bound to `pipeline-service-sre` and to `edit` in
 * `openshift-pipelines` (infra-deployments `base/rbac`, inventory §2.13), the Results readers to
 * `tekton-results-readonly` (the ClusterRole Tekton Results installs; inventory §2.13 testing namespace, §4.1). The
 * third platform role, `tekton-chains-public-key-viewer` for `system:authenticated` (inventory §2.6, constraint 28), is
 * OpenShiftPipelines' (components/openshiftPipelines.ts, with the public-key ExternalSecret it serves). The policy pack
 * checks the least privilege (policy/rules/tenant-*.ts, rbac-no-escalate-bind-impersonate.ts, scc-non-privileged.ts).
 *
 * **Quotas in Phase 1.** kcp's ResourceQuota is per namespace, and a tenant creates its own namespaces in its
 * workspace, so no quota can be declared for it ahead; upstream used its workspace controller for that (inventory
 * §2.13), whose quota shape the docs do not record. The quota and limit range apply in ADR-0009 mode only.
 *
 * **Offboarding** is removing the entry: Pulumi deletes the tenant's objects (Phase 1: the Placement first, so kcp
 * unschedules the tenant's namespaces and the syncer removes their PipelineRuns downstream, then the workspace).
 * Tekton Results keeps the records it archived (the program never deletes Results data; retention is
 * `results.retention`). Before that, the update waits, bounded by `drain.timeoutSeconds`, until none of the tenant's
 * PipelineRuns runs, and fails naming them at the bound with nothing changed (lib/tenantDrain.ts, index.ts).
 *
 * Type tokens: `pipeline-service:tenant:Tenant`, `pipeline-service:tenant:ResourcePool`,
 * `pipeline-service:tenant:PlatformAccess`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    PlatformAccess as PlatformAccessConfig,
    Pool,
    Subjects,
    Tenant as TenantConfig,
    TENANT_ROLES,
    TenantRole,
} from "../lib/config.js";
import {
    ARGOCD_SKIP_DRY_RUN,
    awaitAnnotations,
    customResource,
    CustomResourceSpec,
    labels,
    PIPELINES_NAMESPACE,
} from "../lib/k8s.js";
import { POOL_LABEL, TENANT_LABEL, tenantRoleName } from "../lib/naming.js";
import { KcpConsumerWorkspace } from "./kcpSyncer.js";

type Rule = k8s.types.input.rbac.v1.PolicyRule;
type Subject = k8s.types.input.rbac.v1.Subject;

const RBAC = "rbac.authorization.k8s.io";
const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];

/** The ServiceAccount PipelineRuns of a tenant run as (ADR-0025; TektonConfig `default-service-account`). */
export const TENANT_SERVICE_ACCOUNT = "appstudio-pipeline";
/** The SCC tenant PipelineRun pods run under (pipeline-service `appstudio-pipelines-scc.yaml`, inventory §2.13). */
export const SCC_NAME = "appstudio-pipelines-scc";
/**
 * The ClusterRole that lets a ServiceAccount use {@link SCC_NAME}: OpenShift's `system:openshift:scc:<name>` naming
 * (what `oc adm policy add-scc-to-user` binds); the docs record only that CRT binds the SCC (inventory §2.13).
 */
export const SCC_USE_ROLE = `system:openshift:scc:${SCC_NAME}`;
/** The ClusterRole the tenant ServiceAccount is bound to (ADR-0025, inventory §2.13). */
export const RUNNER_ROLE = "appstudio-pipelines-runner";
/** infra-deployments `base/rbac` (inventory §2.13). */
export const SRE_ROLE = "pipeline-service-sre";
/** Installed with Tekton Results; this program only binds it (inventory §2.13, §4.1). */
export const RESULTS_READONLY_ROLE = "tekton-results-readonly";

/** Where a tenant's role bindings apply: its namespace on a compute cluster, or its whole kcp workspace. */
export type TenantScope = "namespace" | "workspace";

/** The labels of a tenant's objects. */
export function tenantLabels(t: Pick<TenantConfig, "name" | "pool">): Record<string, string> {
    return labels({ [TENANT_LABEL]: t.name, [POOL_LABEL]: t.pool });
}

/** RBAC subjects for groups and users, groups first, in configuration order. */
export function rbacSubjects(s: Subjects): Subject[] {
    return [
        ...s.groups.map((name) => ({ kind: "Group", apiGroup: RBAC, name })),
        ...s.users.map((name) => ({ kind: "User", apiGroup: RBAC, name })),
    ];
}

// ---------------------------------------------------------------------------------------------------------------
// Tenant roles (both modes)

/**
 * The rules of a tenant role. Upstream's tenant roles are CRT's and not in the docs, so these are least privilege
 * for running PipelineRuns as a service (a judgement), with no wildcard and no escalate/bind/impersonate:
 * - `view`: read PipelineRuns, TaskRuns, Pipelines, Tasks, PaC Repositories, pods and their logs, events,
 *   ConfigMaps, and Tekton Results (results, records, logs);
 * - `edit`: `view`, plus write PipelineRuns, Pipelines, Tasks, Repositories and ConfigMaps, and Secrets (the
 *   tenant's own credentials: the binding is a RoleBinding in the tenant namespace, or inside the tenant's own
 *   workspace, never cluster-wide);
 * - `admin`: `edit`, plus the tenant's RoleBindings (the API server still refuses a binding to more than the admin
 *   holds) and reading its ResourceQuota and LimitRange.
 * In a workspace (`scope` `workspace`) every role also reads namespaces, `edit` and `admin` create and delete them (a
 * tenant creates the namespaces its PipelineRuns live in), and every role gets kcp's workspace `access` verb on `/`
 * (kcp v0.11 workspace content authorizer); `admin` also manages ClusterRoleBindings there.
 */
export function buildTenantRoleRules(role: TenantRole, scope: TenantScope): Rule[] {
    const ws = scope === "workspace";
    const view: Rule[] = [
        { apiGroups: ["tekton.dev"], resources: ["pipelineruns", "taskruns", "pipelines", "tasks"], verbs: READ },
        { apiGroups: ["pipelinesascode.tekton.dev"], resources: ["repositories"], verbs: READ },
        { apiGroups: ["results.tekton.dev"], resources: ["results", "records", "logs"], verbs: ["get", "list"] },
        { apiGroups: [""], resources: ["pods", "pods/log", "events", "configmaps"], verbs: READ },
        ...(ws
            ? [
                  { apiGroups: [""], resources: ["namespaces"], verbs: READ },
                  { nonResourceURLs: ["/"], verbs: ["access"] },
              ]
            : []),
    ];
    if (role === "view") return view;
    const edit: Rule[] = [
        ...view,
        { apiGroups: ["tekton.dev"], resources: ["pipelineruns", "pipelines", "tasks"], verbs: WRITE },
        { apiGroups: ["pipelinesascode.tekton.dev"], resources: ["repositories"], verbs: WRITE },
        { apiGroups: [""], resources: ["configmaps"], verbs: WRITE },
        { apiGroups: [""], resources: ["secrets"], verbs: [...READ, ...WRITE] },
        ...(ws ? [{ apiGroups: [""], resources: ["namespaces"], verbs: ["create", "delete"] }] : []),
    ];
    if (role === "edit") return edit;
    return [
        ...edit,
        {
            apiGroups: [RBAC],
            resources: ws ? ["rolebindings", "clusterrolebindings"] : ["rolebindings"],
            verbs: [...READ, ...WRITE],
        },
        { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: READ },
    ];
}

/** A tenant role's ClusterRole, `pipeline-service-tenant-<role>` (one per cluster, or per tenant workspace). */
export function buildTenantClusterRole(
    role: TenantRole,
    scope: TenantScope,
    tenant?: Pick<TenantConfig, "name" | "pool">,
): k8s.rbac.v1.ClusterRoleArgs {
    return {
        metadata: { name: tenantRoleName(role), labels: tenant ? tenantLabels(tenant) : labels() },
        rules: buildTenantRoleRules(role, scope),
    };
}

// ---------------------------------------------------------------------------------------------------------------
// ADR-0009: cluster-wide objects the tenant namespaces use

/**
 * `appstudio-pipelines-scc` exactly as pipeline-service ships it (inventory §2.13, constraint 37): no host access,
 * no privilege, only `SETFCAP` allowed, `MKNOD` dropped, the six volume types, `users: []`, `priority: 10`. Its own
 * `groups` admit only `system:cluster-admins`; tenants get it through {@link SCC_USE_ROLE} bindings.
 */
export function buildSecurityContextConstraints(): Record<string, unknown> & {
    apiVersion: string;
    kind: string;
    metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
} {
    return {
        apiVersion: "security.openshift.io/v1",
        kind: "SecurityContextConstraints",
        metadata: { name: SCC_NAME, labels: labels(), annotations: { ...ARGOCD_SKIP_DRY_RUN } },
        allowHostDirVolumePlugin: false,
        allowHostIPC: false,
        allowHostNetwork: false,
        allowHostPID: false,
        allowHostPorts: false,
        allowPrivilegeEscalation: false,
        allowPrivilegedContainer: false,
        allowedCapabilities: ["SETFCAP"],
        requiredDropCapabilities: ["MKNOD"],
        fsGroup: { type: "MustRunAs" },
        runAsUser: { type: "RunAsAny" },
        seLinuxContext: { type: "MustRunAs" },
        supplementalGroups: { type: "RunAsAny" },
        groups: ["system:cluster-admins"],
        users: [],
        priority: 10,
        readOnlyRootFilesystem: false,
        volumes: ["configMap", "downwardAPI", "emptyDir", "persistentVolumeClaim", "projected", "secret"],
    };
}

/** `use` on {@link SCC_NAME} only (OpenShift grants SCCs through this RBAC verb). */
export function buildSccUseClusterRole(): k8s.rbac.v1.ClusterRoleArgs {
    return {
        metadata: { name: SCC_USE_ROLE, labels: labels() },
        rules: [
            {
                apiGroups: ["security.openshift.io"],
                resources: ["securitycontextconstraints"],
                resourceNames: [SCC_NAME],
                verbs: ["use"],
            },
        ],
    };
}

/**
 * `appstudio-pipelines-runner`, bound to the tenant ServiceAccount in its namespace. The docs name it (ADR-0025,
 * inventory §2.13) but do not record its rules (CRT owns the real one); this stand-in gives a PipelineRun's steps
 * what they read through the API in their own namespace: PipelineRuns and TaskRuns (get/list/watch/patch), pods and
 * their logs, ConfigMaps, and Results. No Secrets: the kubelet mounts those, the ServiceAccount needs no API access.
 */
export function buildRunnerClusterRole(): k8s.rbac.v1.ClusterRoleArgs {
    return {
        metadata: { name: RUNNER_ROLE, labels: labels() },
        rules: [
            { apiGroups: ["tekton.dev"], resources: ["pipelineruns", "taskruns"], verbs: [...READ, "patch"] },
            { apiGroups: [""], resources: ["pods", "pods/log", "configmaps"], verbs: READ },
            { apiGroups: ["results.tekton.dev"], resources: ["results", "records", "logs"], verbs: ["get", "list"] },
        ],
    };
}

// ---------------------------------------------------------------------------------------------------------------
// ADR-0009: the tenant namespace and what is in it

/** The tenant namespace, named after the tenant, labelled with tenant and pool. */
export function buildTenantNamespace(t: TenantConfig): k8s.core.v1.NamespaceArgs {
    return { metadata: { name: t.name, labels: tenantLabels(t) } };
}

/** `appstudio-pipeline` in the tenant namespace (ADR-0025). */
export function buildTenantServiceAccount(t: TenantConfig): k8s.core.v1.ServiceAccountArgs {
    return { metadata: { name: TENANT_SERVICE_ACCOUNT, namespace: t.name, labels: tenantLabels(t) } };
}

/** A RoleBinding of `appstudio-pipeline` in the tenant namespace to a ClusterRole (the runner role, the SCC use role). */
export function buildServiceAccountRoleBinding(
    t: TenantConfig,
    name: string,
    clusterRole: string,
): k8s.rbac.v1.RoleBindingArgs {
    return {
        metadata: { name, namespace: t.name, labels: tenantLabels(t) },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: clusterRole },
        subjects: [{ kind: "ServiceAccount", name: TENANT_SERVICE_ACCOUNT, namespace: t.name }],
    };
}

/**
 * The tenant's ResourceQuota `pipeline-service-tenant`: `count/pipelineruns.tekton.dev` (object count quota),
 * `pods`, `requests.cpu`, `requests.memory` from `tenants[].quota`.
 */
export function buildResourceQuota(t: TenantConfig): k8s.core.v1.ResourceQuotaArgs {
    return {
        metadata: { name: "pipeline-service-tenant", namespace: t.name, labels: tenantLabels(t) },
        spec: {
            hard: {
                "count/pipelineruns.tekton.dev": String(t.quota.pipelineRuns),
                pods: String(t.quota.pods),
                "requests.cpu": t.quota.cpu,
                "requests.memory": t.quota.memory,
            },
        },
    };
}

/**
 * The tenant's LimitRange `pipeline-service-tenant` (type Container): default requests and limits, so pods that set
 * none are admitted under the quota, and the optional maxima.
 */
export function buildLimitRange(t: TenantConfig): k8s.core.v1.LimitRangeArgs {
    const max = Object.fromEntries(Object.entries(t.limitRange.max).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
    >;
    return {
        metadata: { name: "pipeline-service-tenant", namespace: t.name, labels: tenantLabels(t) },
        spec: {
            limits: [
                {
                    type: "Container",
                    defaultRequest: { ...t.limitRange.defaultRequest },
                    default: { ...t.limitRange.default },
                    ...(Object.keys(max).length ? { max } : {}),
                },
            ],
        },
    };
}

/** The RoleBinding of one tenant role's subjects in the tenant namespace; undefined when nobody holds the role. */
export function buildTenantRoleBinding(t: TenantConfig, role: TenantRole): k8s.rbac.v1.RoleBindingArgs | undefined {
    const subjects = rbacSubjects(t.access[role]);
    if (!subjects.length) return undefined;
    return {
        metadata: { name: tenantRoleName(role), namespace: t.name, labels: tenantLabels(t) },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: tenantRoleName(role) },
        subjects,
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Phase 1: kcp objects

/**
 * The tenant's workspace in the platform's workspace: `tenancy.kcp.io/v1alpha1` Workspace of type `root:universal`
 * (as scripts/cluster.ts `ensureWorkspaces` and `kubectl kcp workspace create NAME --type=universal` create it). kcp
 * is real wherever kcp is enabled, so it is always awaited until `status.phase` is `Ready` (bounded by
 * `timeoutSeconds`): the tenant's objects are created in it right after.
 */
export function buildTenantWorkspace(t: TenantConfig, timeoutSeconds: number): CustomResourceSpec {
    return {
        apiVersion: "tenancy.kcp.io/v1alpha1",
        kind: "Workspace",
        metadata: {
            name: t.name,
            labels: tenantLabels(t),
            annotations: awaitAnnotations({ waitFor: true, timeoutSeconds }, "jsonpath={.status.phase}=Ready"),
        },
        spec: { type: { name: "universal", path: "root" } },
    };
}

/** The ClusterRoleBinding of one tenant role's subjects inside the tenant's workspace; undefined when nobody holds it. */
export function buildWorkspaceRoleBinding(
    t: TenantConfig,
    role: TenantRole,
): k8s.rbac.v1.ClusterRoleBindingArgs | undefined {
    const subjects = rbacSubjects(t.access[role]);
    if (!subjects.length) return undefined;
    return {
        metadata: { name: tenantRoleName(role), labels: tenantLabels(t) },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: tenantRoleName(role) },
        subjects,
    };
}

/** The labels a pool's Location carries, which its tenants' Placements select. */
export function poolLocationSelector(pool: string): Record<string, string> {
    return { [POOL_LABEL]: pool };
}

/**
 * A pool's kcp Location in the compute workspace (`scheduling.kcp.io/v1alpha1`, kcp v0.11): the SyncTargets labelled
 * {@link POOL_LABEL} `<pool>`, next to the `default` Location kcp creates for all of them (real-controllers.md §3).
 * Named `pool-<name>`, labelled with the pool so Placements select it.
 */
export function buildPoolLocation(pool: Pool): CustomResourceSpec {
    return {
        apiVersion: "scheduling.kcp.io/v1alpha1",
        kind: "Location",
        metadata: { name: `pool-${pool.name}`.slice(0, 63), labels: labels(poolLocationSelector(pool.name)) },
        spec: {
            resource: { group: "workload.kcp.io", version: "v1alpha1", resource: "synctargets" },
            instanceSelector: { matchLabels: poolLocationSelector(pool.name) },
            ...(pool.description ? { description: pool.description } : {}),
        },
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Platform roles (every compute cluster)

/**
 * `pipeline-service-sre` as infra-deployments `components/pipeline-service/base/rbac` defines it (inventory §2.13):
 * Secrets list/delete ("until RHTAPBUGS-256 is fixed"), the `appstudio-pipeline` ServiceAccounts get/list, and every
 * resource of the Tekton, PaC, Results and Triggers groups with create/delete/get/list/patch/update/watch.
 */
export function buildSreClusterRole(): k8s.rbac.v1.ClusterRoleArgs {
    return {
        metadata: { name: SRE_ROLE, labels: labels() },
        rules: [
            { apiGroups: [""], resources: ["secrets"], verbs: ["list", "delete"] },
            {
                apiGroups: [""],
                resources: ["serviceaccounts"],
                resourceNames: [TENANT_SERVICE_ACCOUNT],
                verbs: ["get", "list"],
            },
            {
                apiGroups: ["pipelinesascode.tekton.dev", "results.tekton.dev", "tekton.dev", "triggers.tekton.dev"],
                resources: ["*"],
                verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
            },
        ],
    };
}

/** A ClusterRoleBinding of platform subjects to a ClusterRole; undefined when there are none. */
export function buildPlatformClusterRoleBinding(
    name: string,
    clusterRole: string,
    s: Subjects,
): k8s.rbac.v1.ClusterRoleBindingArgs | undefined {
    const subjects = rbacSubjects(s);
    if (!subjects.length) return undefined;
    return {
        metadata: { name, labels: labels() },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: clusterRole },
        subjects,
    };
}

/** `pipeline-service-sre-ns-edit`: the SRE subjects get `edit` in `openshift-pipelines` (infra `base/rbac`, inventory §2.13). */
export function buildSreNamespaceEditRoleBinding(
    s: Subjects,
    namespace = PIPELINES_NAMESPACE,
): k8s.rbac.v1.RoleBindingArgs | undefined {
    const subjects = rbacSubjects(s);
    if (!subjects.length) return undefined;
    return {
        metadata: { name: "pipeline-service-sre-ns-edit", namespace, labels: labels() },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "edit" },
        subjects,
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Components

export interface PlatformAccessArgs {
    /** The compute cluster's (platform) provider. */
    provider: k8s.Provider;
    access: PlatformAccessConfig;
    /** The cluster runs ADR-0009 tenant namespaces: also the SCC, its use role, the runner role and the tenant roles. */
    tenantRuntime: boolean;
    /** What the `openshift-pipelines` RoleBindings wait for (its Namespace). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The platform roles of one compute cluster (the Chains public-key viewer is OpenShiftPipelines'), and (ADR-0009
 * tenants) the cluster-wide objects tenant namespaces use.
 */
export class PlatformAccess extends pulumi.ComponentResource {
    public readonly sreRole: k8s.rbac.v1.ClusterRole;
    public readonly sreBinding?: k8s.rbac.v1.ClusterRoleBinding;
    public readonly sreNamespaceEdit?: k8s.rbac.v1.RoleBinding;
    public readonly resultsReaders?: k8s.rbac.v1.ClusterRoleBinding;
    public readonly scc?: k8s.apiextensions.CustomResource;
    public readonly sccUseRole?: k8s.rbac.v1.ClusterRole;
    public readonly runnerRole?: k8s.rbac.v1.ClusterRole;
    /** The tenant roles by role name (ADR-0009 tenants only). */
    public readonly tenantRoles: Partial<Record<TenantRole, k8s.rbac.v1.ClusterRole>> = {};

    constructor(name: string, args: PlatformAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:tenant:PlatformAccess", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const inNs = { ...child, dependsOn: args.dependsOn ?? [] };
        this.sreRole = new k8s.rbac.v1.ClusterRole(`${name}-sre`, buildSreClusterRole(), child);
        const sre = buildPlatformClusterRoleBinding(SRE_ROLE, SRE_ROLE, args.access.sre);
        if (sre)
            this.sreBinding = new k8s.rbac.v1.ClusterRoleBinding(`${name}-sre`, sre, {
                ...child,
                dependsOn: [this.sreRole],
            });
        const edit = buildSreNamespaceEditRoleBinding(args.access.sre);
        if (edit) this.sreNamespaceEdit = new k8s.rbac.v1.RoleBinding(`${name}-sre-ns-edit`, edit, inNs);
        const readers = buildPlatformClusterRoleBinding(
            "pipeline-service-results-readonly",
            RESULTS_READONLY_ROLE,
            args.access.resultsReaders,
        );
        if (readers)
            this.resultsReaders = new k8s.rbac.v1.ClusterRoleBinding(`${name}-results-readonly`, readers, child);
        if (args.tenantRuntime) {
            const scc = buildSecurityContextConstraints();
            this.scc = new k8s.apiextensions.CustomResource(`${name}-scc`, scc, child);
            this.sccUseRole = new k8s.rbac.v1.ClusterRole(`${name}-scc-use`, buildSccUseClusterRole(), child);
            this.runnerRole = new k8s.rbac.v1.ClusterRole(`${name}-runner`, buildRunnerClusterRole(), child);
            for (const role of TENANT_ROLES) {
                this.tenantRoles[role] = new k8s.rbac.v1.ClusterRole(
                    `${name}-tenant-${role}`,
                    buildTenantClusterRole(role, "namespace"),
                    child,
                );
            }
        }
        this.registerOutputs({
            sreRole: this.sreRole,
            sreBinding: this.sreBinding,
            sreNamespaceEdit: this.sreNamespaceEdit,
            resultsReaders: this.resultsReaders,
            scc: this.scc,
            sccUseRole: this.sccUseRole,
            runnerRole: this.runnerRole,
            tenantRoles: this.tenantRoles,
        });
    }
}

export interface ResourcePoolArgs {
    /** Provider of the compute workspace (the SyncTargets' workspace). */
    kcpProvider: k8s.Provider;
    pool: Pool;
}

/** Phase 1: one pool's kcp Location. */
export class ResourcePool extends pulumi.ComponentResource {
    public readonly location: k8s.apiextensions.CustomResource;
    public readonly locationName: pulumi.Output<string>;

    constructor(name: string, args: ResourcePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:tenant:ResourcePool", name, {}, opts);
        this.location = customResource(`${name}-location`, buildPoolLocation(args.pool), {
            parent: this,
            provider: args.kcpProvider,
        });
        this.locationName = this.location.metadata.name;
        this.registerOutputs({ location: this.location, locationName: this.locationName });
    }
}

/** One compute cluster a tenant namespace goes on (ADR-0009). */
export interface TenantCluster {
    name: string;
    provider: k8s.Provider;
    /** The cluster's {@link PlatformAccess} (the roles and SCC the namespace binds). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export interface TenantKcp {
    /** Provider of the platform's workspace (the tenant Workspace's parent). */
    platformProvider: k8s.Provider;
    /** The compute workspace (`kcp.workspace`). */
    computeWorkspace: string;
    /** The tenant workspace's path (`<platform>:<name>`). */
    workspace: string;
    /** Provider args for the tenant workspace, given the Workspace (so the provider is configured once it exists). */
    providerArgs: (workspace: k8s.apiextensions.CustomResource) => k8s.ProviderArgs;
    /** The pool's Location (ResourcePool), which the Placement selects. */
    location?: pulumi.Resource;
    /** How long to wait for the Workspace to be Ready, in seconds. */
    timeoutSeconds: number;
}

export interface TenantArgs {
    tenant: TenantConfig;
    /** Phase 1 (kcp.enabled): the workspace side. */
    kcp?: TenantKcp;
    /** ADR-0009: the compute clusters of the tenant's pool. */
    clusters?: TenantCluster[];
}

/** The objects of a tenant namespace on one compute cluster (ADR-0009). */
export interface TenantNamespaceObjects {
    namespace: k8s.core.v1.Namespace;
    serviceAccount: k8s.core.v1.ServiceAccount;
    runnerBinding: k8s.rbac.v1.RoleBinding;
    sccBinding: k8s.rbac.v1.RoleBinding;
    quota: k8s.core.v1.ResourceQuota;
    limitRange: k8s.core.v1.LimitRange;
    roleBindings: Partial<Record<TenantRole, k8s.rbac.v1.RoleBinding>>;
}

/**
 * One tenant: its kcp workspace with APIBinding, pool Placement and RBAC (Phase 1), or its namespace on every cluster
 * of its pool (ADR-0009). See the module comment.
 */
export class Tenant extends pulumi.ComponentResource {
    public readonly name: string;
    public readonly pool: string;
    /** Phase 1: the Workspace, its provider, the binding component and the workspace RBAC. */
    public readonly workspace?: k8s.apiextensions.CustomResource;
    public readonly workspacePath?: string;
    public readonly workspaceProvider?: k8s.Provider;
    public readonly consumer?: KcpConsumerWorkspace;
    public readonly workspaceRoles: Partial<Record<TenantRole, k8s.rbac.v1.ClusterRole>> = {};
    public readonly workspaceBindings: Partial<Record<TenantRole, k8s.rbac.v1.ClusterRoleBinding>> = {};
    /** ADR-0009: per compute cluster. */
    public readonly namespaces: Record<string, TenantNamespaceObjects> = {};
    /** Where the tenant lives: its workspace path, or `<cluster>/<namespace>` per cluster. */
    public readonly placement: string[];

    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:tenant:Tenant", name, {}, opts);
        const t = args.tenant;
        this.name = t.name;
        this.pool = t.pool;
        if (args.kcp) {
            const k = args.kcp;
            this.workspacePath = k.workspace;
            this.workspace = customResource(`${name}-workspace`, buildTenantWorkspace(t, k.timeoutSeconds), {
                parent: this,
                provider: k.platformProvider,
                // kcp v0.11's workspace controller writes the Workspace (phase label, owner and cluster annotations)
                // while it initializes; once in a clean-clone e2e run, the object Pulumi recorded then lacked the labels
                // and annotations it had applied, and every later preview showed them as an update. Nothing selects
                // Workspaces by these labels (Placements select pool Locations), so their drift is not acted on.
                ignoreChanges: ["metadata.labels", "metadata.annotations"],
            });
            this.workspaceProvider = new k8s.Provider(`${name}-kcp`, k.providerArgs(this.workspace), {
                parent: this,
                dependsOn: [this.workspace],
            });
            const inWs = { parent: this, provider: this.workspaceProvider, dependsOn: [this.workspace] };
            this.consumer = new KcpConsumerWorkspace(
                `${name}-binding`,
                {
                    provider: this.workspaceProvider,
                    workspace: k.workspace,
                    computeWorkspace: k.computeWorkspace,
                    locationSelector: poolLocationSelector(t.pool),
                },
                { parent: this, dependsOn: [this.workspace, ...(k.location ? [k.location] : [])] },
            );
            for (const role of TENANT_ROLES) {
                const cr = new k8s.rbac.v1.ClusterRole(
                    `${name}-role-${role}`,
                    buildTenantClusterRole(role, "workspace", t),
                    inWs,
                );
                this.workspaceRoles[role] = cr;
                const b = buildWorkspaceRoleBinding(t, role);
                if (b)
                    this.workspaceBindings[role] = new k8s.rbac.v1.ClusterRoleBinding(`${name}-${role}`, b, {
                        ...inWs,
                        dependsOn: [this.workspace, cr],
                    });
            }
            this.placement = [k.workspace];
        } else {
            for (const c of args.clusters ?? []) {
                const child = { parent: this, provider: c.provider, dependsOn: c.dependsOn ?? [] };
                const n = `${name}-${c.name}`;
                const namespace = new k8s.core.v1.Namespace(`${n}-namespace`, buildTenantNamespace(t), child);
                const inNs = { ...child, dependsOn: [...((c.dependsOn ?? []) as pulumi.Resource[]), namespace] };
                const serviceAccount = new k8s.core.v1.ServiceAccount(`${n}-sa`, buildTenantServiceAccount(t), inNs);
                const runnerBinding = new k8s.rbac.v1.RoleBinding(
                    `${n}-runner`,
                    buildServiceAccountRoleBinding(t, RUNNER_ROLE, RUNNER_ROLE),
                    inNs,
                );
                const sccBinding = new k8s.rbac.v1.RoleBinding(
                    `${n}-scc`,
                    buildServiceAccountRoleBinding(t, SCC_NAME, SCC_USE_ROLE),
                    inNs,
                );
                const quota = new k8s.core.v1.ResourceQuota(`${n}-quota`, buildResourceQuota(t), inNs);
                const limitRange = new k8s.core.v1.LimitRange(`${n}-limits`, buildLimitRange(t), inNs);
                const roleBindings: Partial<Record<TenantRole, k8s.rbac.v1.RoleBinding>> = {};
                for (const role of TENANT_ROLES) {
                    const b = buildTenantRoleBinding(t, role);
                    if (b) roleBindings[role] = new k8s.rbac.v1.RoleBinding(`${n}-${role}`, b, inNs);
                }
                this.namespaces[c.name] = {
                    namespace,
                    serviceAccount,
                    runnerBinding,
                    sccBinding,
                    quota,
                    limitRange,
                    roleBindings,
                };
            }
            this.placement = (args.clusters ?? []).map((c) => `${c.name}/${t.name}`);
        }
        this.registerOutputs({
            name: this.name,
            pool: this.pool,
            workspace: this.workspace,
            workspacePath: this.workspacePath,
            workspaceProvider: this.workspaceProvider,
            consumer: this.consumer,
            workspaceRoles: this.workspaceRoles,
            workspaceBindings: this.workspaceBindings,
            namespaces: this.namespaces,
            placement: this.placement,
        });
    }
}
