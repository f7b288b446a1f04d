/**
 * Tenants, pools and platform access under mocks (components/tenants.ts): every tenant object in both modes, with
 * its parent, provider and inputs, and the registered outputs; the pure builders' least-privilege properties
 * (no wildcard, no escalate/bind/impersonate, Secrets only in edit/admin and only confined to the tenant); granting
 * and revoking access changes only the role bindings; and the bad tenant configurations of issue 12 §4, each
 * failing validation naming its key.
 */
import test from "ava";
import { find, installMocks, promiseOf, providerUrn, registeredOutputs, settle } from "../../helpers/mocks.js";
import { assertK8sChildren, childrenOf, copy, outputKeys } from "../helpers/fixtures.js";
import {
    PLATFORM_ACCESS_DEFAULTS,
    resolveConfig,
    resolveTenant,
    type Tenant as TenantConfig,
    TENANT_ROLES,
} from "../../../lib/config.js";
import { stackValues } from "../../helpers/stack.js";
import { placementName, POOL_LABEL, TENANT_LABEL, tenantRoleName } from "../../../lib/naming.js";
import { configProblems, problemFor } from "../helpers/configProblems.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const {
    PlatformAccess,
    ResourcePool,
    Tenant,
    RUNNER_ROLE,
    SCC_NAME,
    SCC_USE_ROLE,
    TENANT_SERVICE_ACCOUNT,
    buildLimitRange,
    buildPoolLocation,
    buildResourceQuota,
    buildRunnerClusterRole,
    buildSecurityContextConstraints,
    buildServiceAccountRoleBinding,
    buildSreClusterRole,
    buildTenantClusterRole,
    buildTenantNamespace,
    buildTenantRoleBinding,
    buildTenantRoleRules,
    buildTenantServiceAccount,
    buildTenantWorkspace,
    buildWorkspaceRoleBinding,
} = await import("../../../components/tenants.js");
const { buildSyncTarget } = await import("../../../components/kcpSyncer.js");

const COMPUTE = "root:pipeline-service:compute";
const WS = "root:pipeline-service:tenant-a";
const tenantA: TenantConfig = resolveTenant({
    name: "tenant-a",
    pool: "isolated",
    access: { admin: { groups: ["a-admins"] }, edit: { groups: ["a-devs"], users: ["alice"] } },
    quota: { pipelineRuns: 20, cpu: "8" },
    limitRange: { max: { memory: "8Gi" } },
});
const tenantB: TenantConfig = resolveTenant({
    name: "tenant-b",
    pool: "general",
    access: { view: { groups: ["b-viewers"] } },
});

const kcpProvider = new k8s.Provider("unit-kcp", { clusterIdentifier: "kcp" });
const platformProvider = new k8s.Provider("unit-kcp-platform", { clusterIdentifier: "kcp-root-pipeline-service" });
const c1 = new k8s.Provider("c1-k8s", { clusterIdentifier: "c1" });
const c2 = new k8s.Provider("c2-k8s", { clusterIdentifier: "c2" });
let argsSeenWorkspace = false;
const pool = new ResourcePool("pool-isolated", { kcpProvider, pool: { name: "isolated", description: "compute-2" } });
const phase1 = new Tenant("tenant-tenant-a", {
    tenant: tenantA,
    kcp: {
        platformProvider,
        computeWorkspace: COMPUTE,
        workspace: WS,
        location: pool,
        timeoutSeconds: 300,
        providerArgs: (w) => {
            argsSeenWorkspace = w !== undefined;
            return {
                clusterIdentifier: "kcp-root-pipeline-service-tenant-a",
                kubeconfig: w.metadata.uid.apply(() => "kubeconfig"),
            };
        },
    },
});
const access1 = new PlatformAccess("c1-access", {
    provider: c1,
    access: PLATFORM_ACCESS_DEFAULTS,
    tenantRuntime: true,
});
const access2 = new PlatformAccess("c2-access", {
    provider: c2,
    tenantRuntime: false,
    access: { sre: { groups: ["sre"], users: ["bob"] }, resultsReaders: { groups: ["auditors"], users: [] } },
});
const adr9 = new Tenant("tenant-tenant-b", {
    tenant: tenantB,
    clusters: [{ name: "c1", provider: c1, dependsOn: [access1] }],
});
const urns = await Promise.all(
    [
        phase1.urn,
        adr9.urn,
        pool.urn,
        access1.urn,
        access2.urn,
        kcpProvider.urn,
        platformProvider.urn,
        c1.urn,
        c2.urn,
    ].map((o) => promiseOf(o)),
);
const [phase1Urn, adr9Urn, poolUrn, access1Urn, access2Urn, kcpUrn, platformUrn, c1Urn, c2Urn] = urns as string[];
await settle();

const K = {
    ns: "kubernetes:core/v1:Namespace",
    sa: "kubernetes:core/v1:ServiceAccount",
    quota: "kubernetes:core/v1:ResourceQuota",
    limits: "kubernetes:core/v1:LimitRange",
    rb: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    crb: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    cr: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    ws: "kubernetes:tenancy.kcp.io/v1alpha1:Workspace",
    loc: "kubernetes:scheduling.kcp.io/v1alpha1:Location",
    placement: "kubernetes:scheduling.kcp.io/v1alpha1:Placement",
    binding: "kubernetes:apis.kcp.io/v1alpha1:APIBinding",
    scc: "kubernetes:security.openshift.io/v1:SecurityContextConstraints",
    provider: "pulumi:providers:kubernetes",
};

// ---------------------------------------------------------------------------------------------------------------
// Phase 1

test("Phase 1: type token; the Workspace on the platform workspace's provider, everything else on the tenant's own", (t) => {
    t.false(find("pipeline-service:tenant:Tenant", "tenant-tenant-a").custom);
    const prov = find(K.provider, "tenant-tenant-a-kcp");
    t.is(prov.parent, phase1Urn);
    t.true(argsSeenWorkspace, "the provider args are built from the Workspace");
    t.true(
        prov.dependencies.includes(find(K.ws, "tenant-tenant-a-workspace").urn),
        "the tenant provider waits for its Workspace",
    );
    const kube = assertK8sChildren(t, phase1Urn, prov.urn, { "tenant-tenant-a-workspace": platformUrn });
    t.deepEqual(
        kube.map((c) => c.name).sort(),
        [
            "tenant-tenant-a-admin",
            "tenant-tenant-a-binding-apibinding",
            "tenant-tenant-a-binding-placement",
            "tenant-tenant-a-edit",
            "tenant-tenant-a-role-admin",
            "tenant-tenant-a-role-edit",
            "tenant-tenant-a-role-view",
            "tenant-tenant-a-workspace",
        ],
        "no view binding: nobody holds view",
    );
    t.deepEqual(
        childrenOf(phase1Urn)
            .map((c) => c.type)
            .sort(),
        [K.cr, K.cr, K.cr, K.crb, K.crb, "pipeline-service:kcp:KcpConsumerWorkspace", K.ws, K.provider].sort(),
    );
});

test("Phase 1: the Workspace is type root:universal in the platform's workspace, awaited until Ready", (t) => {
    const w = find(K.ws, "tenant-tenant-a-workspace");
    t.deepEqual(w.inputs.spec, { type: { name: "universal", path: "root" } });
    t.is(w.inputs.metadata.name, "tenant-a");
    t.like(w.inputs.metadata.labels, { [TENANT_LABEL]: "tenant-a", [POOL_LABEL]: "isolated" });
    t.is(w.inputs.metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.phase}=Ready");
    t.is(w.inputs.metadata.annotations["pulumi.com/timeoutSeconds"], "300");
    t.is(w.inputs.metadata.annotations["pulumi.com/skipAwait"], undefined);
});

test("Phase 1: the APIBinding to the compute export, and a Placement selecting only the pool's Location", (t) => {
    const b = find(K.binding, "tenant-tenant-a-binding-apibinding");
    t.deepEqual(b.inputs.spec, { reference: { export: { path: COMPUTE, name: "kubernetes" } } });
    const p = find(K.placement, "tenant-tenant-a-binding-placement");
    t.deepEqual(p.inputs.spec.locationSelectors, [{ matchLabels: { [POOL_LABEL]: "isolated" } }]);
    t.is(p.inputs.spec.locationWorkspace, COMPUTE);
    // `kubectl kcp bind compute <ws> --location-selectors=pipeline-service.io/pool=isolated` names it this way.
    t.is(p.inputs.metadata.name, placementName(COMPUTE, "", [`${POOL_LABEL}=isolated`]));
    t.not(p.inputs.metadata.name, placementName(COMPUTE), "not the every-location Placement");
    // dependsOn a component means on its custom resources: the pool's Location.
    t.true(
        find("pipeline-service:kcp:KcpConsumerWorkspace", "tenant-tenant-a-binding").dependencies.includes(
            find(K.loc, "pool-isolated-location").urn,
        ),
    );
});

test("Phase 1: the pool is a Location in the compute workspace selecting SyncTargets by pool label; SyncTargets carry it", (t) => {
    const l = find(K.loc, "pool-isolated-location");
    t.is(providerUrn(l.provider), kcpUrn);
    t.is(l.parent, poolUrn);
    t.deepEqual(l.inputs.spec, {
        resource: { group: "workload.kcp.io", version: "v1alpha1", resource: "synctargets" },
        instanceSelector: { matchLabels: { [POOL_LABEL]: "isolated" } },
        description: "compute-2",
    });
    t.is(l.inputs.metadata.name, "pool-isolated");
    t.is(l.inputs.metadata.labels[POOL_LABEL], "isolated", "the label the tenants' Placements select");
    t.is(buildSyncTarget("compute-2", "isolated").metadata.labels?.[POOL_LABEL], "isolated");
    t.false(POOL_LABEL in (buildSyncTarget("compute-2").metadata.labels ?? {}), "no pool, no label");
    t.deepEqual(outputKeys(registeredOutputs.get(poolUrn)), ["location", "locationName"]);
});

test("Phase 1: workspace RBAC: the three tenant roles with kcp's access verb, one ClusterRoleBinding per held role", (t) => {
    for (const role of TENANT_ROLES) {
        const cr = find(K.cr, `tenant-tenant-a-role-${role}`);
        t.is(cr.inputs.metadata.name, tenantRoleName(role));
        t.deepEqual(cr.inputs.rules, buildTenantRoleRules(role, "workspace"));
        t.true(
            cr.inputs.rules.some((r: any) => r.nonResourceURLs?.[0] === "/" && r.verbs[0] === "access"),
            role,
        );
    }
    const admin = find(K.crb, "tenant-tenant-a-admin");
    t.deepEqual(admin.inputs.subjects, [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "a-admins" }]);
    t.deepEqual(admin.inputs.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "pipeline-service-tenant-admin",
    });
    t.deepEqual(
        find(K.crb, "tenant-tenant-a-edit").inputs.subjects.map((s: any) => `${s.kind}:${s.name}`),
        ["Group:a-devs", "User:alice"],
    );
    t.is(admin.inputs.metadata.labels[TENANT_LABEL], "tenant-a");
});

test("Phase 1: registered outputs list every output", (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(phase1Urn)), [
        "consumer",
        "name",
        "namespaces",
        "placement",
        "pool",
        "workspace",
        "workspaceBindings",
        "workspacePath",
        "workspaceProvider",
        "workspaceRoles",
    ]);
    t.deepEqual(phase1.placement, [WS]);
    t.deepEqual(Object.keys(phase1.workspaceBindings).sort(), ["admin", "edit"]);
});

// ---------------------------------------------------------------------------------------------------------------
// ADR-0009

test("ADR-0009: a namespace per pool cluster with SA, runner and SCC bindings, quota, limits and held-role bindings", (t) => {
    const kube = assertK8sChildren(t, adr9Urn, c1Urn);
    t.deepEqual(kube.map((c) => c.name.replace("tenant-tenant-b-c1-", "")).sort(), [
        "limits",
        "namespace",
        "quota",
        "runner",
        "sa",
        "scc",
        "view",
    ]);
    for (const c of kube.filter((x) => x.type !== K.ns)) {
        t.is(c.inputs.metadata.namespace, "tenant-b", c.name);
        t.true(
            c.dependencies.includes(find(K.ns, "tenant-tenant-b-c1-namespace").urn),
            `${c.name} waits for the namespace`,
        );
        t.true(c.dependencies.includes(find(K.cr, "c1-access-runner").urn), `${c.name} waits for the cluster's roles`);
        t.true(c.dependencies.includes(find(K.scc, "c1-access-scc").urn), `${c.name} waits for the cluster's SCC`);
    }
    t.like(find(K.ns, "tenant-tenant-b-c1-namespace").inputs.metadata, {
        name: "tenant-b",
        labels: { [TENANT_LABEL]: "tenant-b", [POOL_LABEL]: "general" },
    });
    t.is(find(K.sa, "tenant-tenant-b-c1-sa").inputs.metadata.name, TENANT_SERVICE_ACCOUNT);
    const sa = [{ kind: "ServiceAccount", name: "appstudio-pipeline", namespace: "tenant-b" }];
    t.deepEqual(find(K.rb, "tenant-tenant-b-c1-runner").inputs.roleRef.name, RUNNER_ROLE);
    t.deepEqual(find(K.rb, "tenant-tenant-b-c1-runner").inputs.subjects, sa);
    t.deepEqual(find(K.rb, "tenant-tenant-b-c1-scc").inputs.roleRef.name, SCC_USE_ROLE);
    t.deepEqual(find(K.rb, "tenant-tenant-b-c1-scc").inputs.subjects, sa);
    t.deepEqual(find(K.rb, "tenant-tenant-b-c1-view").inputs.subjects, [
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "b-viewers" },
    ]);
    t.deepEqual(find(K.quota, "tenant-tenant-b-c1-quota").inputs.spec.hard, {
        "count/pipelineruns.tekton.dev": "50",
        pods: "100",
        "requests.cpu": "20",
        "requests.memory": "64Gi",
    });
    t.deepEqual(find(K.limits, "tenant-tenant-b-c1-limits").inputs.spec.limits, [
        {
            type: "Container",
            defaultRequest: { cpu: "100m", memory: "256Mi" },
            default: { cpu: "2", memory: "2Gi" },
        },
    ]);
    // Undefined outputs (the Phase 1 ones) are not serialized.
    t.deepEqual(outputKeys(registeredOutputs.get(adr9Urn)), [
        "name",
        "namespaces",
        "placement",
        "pool",
        "workspaceBindings",
        "workspaceRoles",
    ]);
    t.deepEqual(adr9.placement, ["c1/tenant-b"]);
    t.is(adr9.workspace, undefined);
});

test("ADR-0009: the configured quota and limit range (partial values over the defaults, maxima only when set)", (t) => {
    t.deepEqual((buildResourceQuota(tenantA).spec as any).hard, {
        "count/pipelineruns.tekton.dev": "20",
        pods: "100",
        "requests.cpu": "8",
        "requests.memory": "64Gi",
    });
    t.deepEqual((buildLimitRange(tenantA).spec as any).limits[0].max, { memory: "8Gi" });
    t.false("max" in (buildLimitRange(tenantB).spec as any).limits[0]);
});

// ---------------------------------------------------------------------------------------------------------------
// Platform access

test("platform access: pipeline-service-sre as infra-deployments defines it, bound to the SRE group and to edit in openshift-pipelines", (t) => {
    assertK8sChildren(t, access1Urn, c1Urn);
    t.deepEqual(find(K.cr, "c1-access-sre").inputs.rules, buildSreClusterRole().rules);
    const rules = find(K.cr, "c1-access-sre").inputs.rules;
    t.deepEqual(rules[0], { apiGroups: [""], resources: ["secrets"], verbs: ["list", "delete"] });
    t.deepEqual(rules[2].apiGroups, [
        "pipelinesascode.tekton.dev",
        "results.tekton.dev",
        "tekton.dev",
        "triggers.tekton.dev",
    ]);
    t.deepEqual(find(K.crb, "c1-access-sre").inputs.subjects, [
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "konflux-pipeline-service" },
    ]);
    t.like(find(K.rb, "c1-access-sre-ns-edit").inputs, {
        metadata: { namespace: "openshift-pipelines" },
        roleRef: { name: "edit" },
    });
    t.deepEqual(
        find(K.crb, "c2-access-sre").inputs.subjects.map((s: any) => `${s.kind}:${s.name}`),
        ["Group:sre", "User:bob"],
    );
});

test("platform access: Results readers bound to tekton-results-readonly only when configured; the Chains viewer is not duplicated", (t) => {
    t.throws(() => find(K.crb, "c1-access-results-readonly"));
    const r = find(K.crb, "c2-access-results-readonly");
    t.is(r.inputs.roleRef.name, "tekton-results-readonly");
    t.deepEqual(r.inputs.subjects, [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "auditors" }]);
    // OpenShiftPipelines owns tekton-chains-public-key-viewer; a second declaration would be a second owner.
    t.false(childrenOf(access1Urn).some((c) => c.inputs?.metadata?.name === "tekton-chains-public-key-viewer"));
});

test("platform access: the tenant runtime (SCC, its use role, runner, tenant roles) only where ADR-0009 tenants land", (t) => {
    t.deepEqual(find(K.scc, "c1-access-scc").inputs.metadata.name, SCC_NAME);
    t.deepEqual(find(K.cr, "c1-access-scc-use").inputs.rules, [
        {
            apiGroups: ["security.openshift.io"],
            resources: ["securitycontextconstraints"],
            resourceNames: [SCC_NAME],
            verbs: ["use"],
        },
    ]);
    t.deepEqual(find(K.cr, "c1-access-runner").inputs.rules, buildRunnerClusterRole().rules);
    for (const role of TENANT_ROLES)
        t.deepEqual(find(K.cr, `c1-access-tenant-${role}`).inputs.rules, buildTenantRoleRules(role, "namespace"));
    for (const n of ["scc", "scc-use", "runner", "tenant-view"])
        t.throws(() => find(n === "scc" ? K.scc : K.cr, `c2-access-${n}`), undefined, n);
    // No Results readers on c1 (an undefined output is not serialized); c2 has them but no tenant runtime.
    t.deepEqual(outputKeys(registeredOutputs.get(access1Urn)), [
        "runnerRole",
        "scc",
        "sccUseRole",
        "sreBinding",
        "sreNamespaceEdit",
        "sreRole",
        "tenantRoles",
    ]);
    t.deepEqual(outputKeys(registeredOutputs.get(access2Urn)), [
        "resultsReaders",
        "sreBinding",
        "sreNamespaceEdit",
        "sreRole",
        "tenantRoles",
    ]);
    t.is(providerUrn(find(K.scc, "c1-access-scc").provider), c1Urn);
    t.not(c2Urn, c1Urn);
    assertK8sChildren(t, access2Urn, c2Urn);
});

test("the SCC is appstudio-pipelines-scc exactly as pipeline-service ships it (inventory §2.13, constraint 37)", (t) => {
    const { metadata, ...fields } = buildSecurityContextConstraints();
    t.is(metadata.annotations["argocd.argoproj.io/sync-options"], "SkipDryRunOnMissingResource=true");
    t.deepEqual(fields, {
        apiVersion: "security.openshift.io/v1",
        kind: "SecurityContextConstraints",
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
    });
});

// ---------------------------------------------------------------------------------------------------------------
// Least privilege of the builders

const DANGEROUS = ["escalate", "bind", "impersonate", "*"];
test("tenant roles and the runner: no wildcard, no escalate/bind/impersonate, Secrets only for edit and admin", (t) => {
    for (const scope of ["namespace", "workspace"] as const) {
        for (const role of TENANT_ROLES) {
            const rules = buildTenantRoleRules(role, scope);
            for (const r of rules) {
                for (const v of r.verbs as string[]) t.false(DANGEROUS.includes(v), `${scope} ${role}: verb ${v}`);
                for (const x of [...((r.resources ?? []) as string[]), ...((r.apiGroups ?? []) as string[])])
                    t.not(x, "*", `${scope} ${role}`);
            }
            const secrets = rules.some((r) => ((r.resources ?? []) as string[]).includes("secrets"));
            t.is(secrets, role !== "view", `${scope} ${role}: secrets`);
        }
    }
    for (const r of buildRunnerClusterRole().rules as any[]) {
        t.false(r.resources.includes("secrets"));
        for (const v of r.verbs) t.false(DANGEROUS.includes(v));
    }
    // Roles nest: view ⊂ edit ⊂ admin.
    const flat = (role: "admin" | "edit" | "view") =>
        new Set(
            buildTenantRoleRules(role, "namespace").flatMap((r) =>
                ((r.resources ?? []) as string[]).flatMap((res) =>
                    (r.verbs as string[]).map((v) => `${(r.apiGroups as string[])[0]}/${res}/${v}`),
                ),
            ),
        );
    for (const x of flat("view")) t.true(flat("edit").has(x), x);
    for (const x of flat("edit")) t.true(flat("admin").has(x), x);
});

/** Every object of a tenant in both modes, by a stable key. */
function objectsOf(t: TenantConfig): Record<string, unknown> {
    const out: Record<string, unknown> = {
        namespace: buildTenantNamespace(t),
        sa: buildTenantServiceAccount(t),
        runner: buildServiceAccountRoleBinding(t, RUNNER_ROLE, RUNNER_ROLE),
        scc: buildServiceAccountRoleBinding(t, SCC_NAME, SCC_USE_ROLE),
        quota: buildResourceQuota(t),
        limits: buildLimitRange(t),
        workspace: buildTenantWorkspace(t, 300),
    };
    for (const role of TENANT_ROLES) {
        out[`role-${role}`] = buildTenantClusterRole(role, "workspace", t);
        out[`rolebinding-${role}`] = buildTenantRoleBinding(t, role);
        out[`clusterrolebinding-${role}`] = buildWorkspaceRoleBinding(t, role);
    }
    return out;
}

test("granting and revoking: editing a tenant's groups or users changes only its role bindings", (t) => {
    const before = objectsOf(tenantA);
    const changes: [string, (x: TenantConfig) => void][] = [
        [
            "revoke a group",
            (x) => {
                x.access.edit.groups = [];
            },
        ],
        [
            "grant a group",
            (x) => {
                x.access.view.groups.push("a-auditors");
            },
        ],
        [
            "revoke a user",
            (x) => {
                x.access.edit.users = [];
            },
        ],
        [
            "move a group between roles",
            (x) => {
                x.access.admin.groups = [];
                x.access.edit.groups.push("a-admins");
            },
        ],
    ];
    for (const [what, change] of changes) {
        const t2 = copy(tenantA);
        change(t2);
        const after = objectsOf(t2);
        const changed = Object.keys(before)
            .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
            .sort();
        t.true(changed.length > 0, what);
        t.true(
            changed.every((k) => /^(role|clusterrole)binding-/.test(k)),
            `${what}: ${changed.join(", ")}`,
        );
    }
    t.is(buildTenantRoleBinding(tenantA, "view"), undefined, "a role nobody holds has no binding");
    t.truthy(buildTenantRoleBinding(tenantB, "view"));
});

test("a pool's Location name and selector come from the pool", (t) => {
    t.deepEqual(buildPoolLocation({ name: "gpu" }).spec, {
        resource: { group: "workload.kcp.io", version: "v1alpha1", resource: "synctargets" },
        instanceSelector: { matchLabels: { [POOL_LABEL]: "gpu" } },
    });
});

// ---------------------------------------------------------------------------------------------------------------
// Bad tenant configuration (issue 12 §4), on the local stack

function problems(mutate: (raw: Record<string, any>) => void): string[] {
    const raw: Record<string, any> = stackValues("local") as Record<string, any>;
    mutate(raw);
    return configProblems("local", raw);
}
const named = problemFor;

test("the local stack's tenants and pools validate, with the defaults filled in", (t) => {
    t.deepEqual(
        problems(() => {}),
        [],
    );
    const cfg = resolveConfig("local", stackValues("local"));
    t.deepEqual(
        cfg.tenants.map((x) => [x.name, x.pool]),
        [
            ["tenant-a", "isolated"],
            ["tenant-b", "general"],
        ],
    );
    t.deepEqual(
        cfg.clusters.map((c) => [c.name, c.pool]),
        [
            ["compute-1", "general"],
            ["compute-2", "isolated"],
        ],
    );
    t.deepEqual(cfg.tenants[1]!.access.view, { groups: [], users: [] });
    t.is(cfg.tenants[0]!.quota.pipelineRuns, 50);
    t.deepEqual(cfg.access.sre.groups, ["konflux-pipeline-service"]);
});

test("bad tenant config: an unknown pool, on a tenant or a cluster, names the key and the known pools", (t) => {
    const p = named(
        problems((r) => {
            r.tenants[0].pool = "gpu";
        }),
        "tenants[0].pool",
    );
    t.regex(p ?? "", /'gpu' is not a pool \(the pools are general, isolated\)/);
    t.regex(p ?? "", /Fix: /);
    t.regex(
        named(
            problems((r) => {
                r.clusters[1].pool = "gpu";
            }),
            "clusters[1].pool",
        ) ?? "",
        /'gpu' is not a pool/,
    );
    t.regex(
        named(
            problems((r) => {
                r.clusters[1].pool = "general";
            }),
            "tenants[0].pool",
        ) ?? "",
        /no cluster is in pool 'isolated'/,
    );
    t.regex(
        named(
            problems((r) => {
                r.pools.push({ name: "general" });
            }),
            "pools[2].name",
        ) ?? "",
        /defined twice/,
    );
});

test("bad tenant config: a duplicate tenant names the second entry and the first", (t) => {
    const p = named(
        problems((r) => {
            r.tenants[1].name = "tenant-a";
        }),
        "tenants[1].name",
    );
    t.regex(p ?? "", /'tenant-a' is already tenants\[0\]/);
});

test("bad tenant config: a group bound to an unknown role names the role's key; everyone may not hold a tenant role", (t) => {
    const p = named(
        problems((r) => {
            r.tenants[0].access.owner = { groups: ["tenant-a-admins"] };
        }),
        "tenants[0].access.owner",
    );
    t.regex(p ?? "", /'owner' is not a tenant role; groups and users can be bound to admin, edit, view only/);
    const e = named(
        problems((r) => {
            r.tenants[1].access.edit.groups = ["system:authenticated"];
        }),
        "tenants[1].access.edit.groups[0]",
    );
    t.regex(e ?? "", /every user it contains/);
});

test("bad tenant config: a quota below one PipelineRun (runs, pods, or CPU/memory under the default request) names the key", (t) => {
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].quota = { pipelineRuns: 0 };
            }),
            "tenants[0].quota.pipelineRuns",
        ) ?? "",
        /at least one PipelineRun/,
    );
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].quota = { pods: 0 };
            }),
            "tenants[0].quota.pods",
        ) ?? "",
        /at least one pod/,
    );
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].quota = { cpu: "50m" };
            }),
            "tenants[0].quota.cpu",
        ) ?? "",
        /50m is below one PipelineRun.*defaultRequest.cpu 100m/,
    );
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].quota = { memory: "128Mi" };
            }),
            "tenants[0].quota.memory",
        ) ?? "",
        /below one PipelineRun/,
    );
    t.deepEqual(
        problems((r) => {
            r.tenants[0].quota = { memory: "128Mi" };
            r.tenants[0].limitRange = { defaultRequest: { memory: "64Mi" } };
        }),
        [],
        "fine once the default request fits",
    );
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].quota = { cpu: "two" };
            }),
            "tenants[0].quota.cpu",
        ) ?? "",
        /Kubernetes quantity/,
    );
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].limitRange = { defaultRequest: { cpu: "4" } };
            }),
            "tenants[0].limitRange.defaultRequest.cpu",
        ) ?? "",
        /exceeds the default limit/,
    );
});

test("bad tenant config: reserved names, and a tenant workspace also listed as a consumer workspace", (t) => {
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].name = "openshift-pipelines";
            }),
            "tenants[0].name",
        ) ?? "",
        /platform namespace/,
    );
    t.regex(
        named(
            problems((r) => {
                r.tenants[0].name = "compute";
            }),
            "tenants[0].name",
        ) ?? "",
        /platform namespace|compute workspace/,
    );
    const p = named(
        problems((r) => {
            r.kcp.consumerWorkspaces = ["root:pipeline-service:tenant-b"];
        }),
        "kcp.consumerWorkspaces[0]",
    );
    t.regex(p ?? "", /also tenant tenant-b's workspace/);
});
