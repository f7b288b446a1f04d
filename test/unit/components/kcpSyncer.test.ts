/**
 * KcpSyncer and KcpConsumerWorkspace under mocks: every object on both sides, as `kubectl kcp workload sync` and
 * `kubectl kcp bind compute` v0.11.0 render them (kcp-dev/kcp pkg/cliplugins/workload/plugin/{sync.go,syncer.yaml},
 * pkg/cliplugins/bind/plugin/bind_compute.go @v0.11.0); and the bad inputs of issue 8 §6 in config validation.
 * test/e2e/kcp-conformance.test.ts compares the same builders with the real generator's output.
 */
import test from "ava";
import assert from "node:assert/strict";
import fc from "fast-check";
import YAML from "yaml";
import { find, installMocks, mockUid, promiseOf, registeredOutputs, settle } from "../../helpers/mocks.js";
import {
    READY,
    assertK8sChildren,
    childrenOf,
    copy,
    defaultSettings,
    isSecretValue,
    outputKeys,
    unsecret,
} from "../helpers/fixtures.js";
import { holds } from "../helpers/property.js";
import { configProblems, problemFor } from "../helpers/configProblems.js";
import {
    apiBindingName,
    kcpHash,
    placementName,
    syncerId,
    syncerNamespace,
    syncTargetName,
} from "../../../lib/naming.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const {
    KcpConsumerWorkspace,
    KcpSyncer,
    SYNCER_DEFAULTS,
    SYNCER_RESOURCES,
    buildComputeApiBinding,
    buildComputePlacement,
    buildKcpSyncerRules,
    buildSyncTarget,
    buildSyncerKubeconfig,
    buildSyncerRules,
    groupMappings,
    kcpEndpointOf,
    splitResource,
    syncerArgs,
    syncerServerUrl,
    workspaceKubeconfig,
} = await import("../../../components/kcpSyncer.js");

const ST = "kubernetes:workload.kcp.io/v1alpha1:SyncTarget";
const WS = "root:pipeline-service:compute";
const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nkcp\n-----END CERTIFICATE-----\n").toString("base64");
const settings = defaultSettings();
settings.kcp.serverUrl = "https://kcp.example.com";
const vault = copy(settings);
vault.kcp.credentials = "externalSecret";
const LONG = "a-very-long-compute-cluster-name-that-exceeds-forty-three-chars";

const provider = new k8s.Provider("syncer-k8s", { clusterIdentifier: "syncer" });
const kcpProvider = new k8s.Provider("syncer-kcp", { clusterIdentifier: "kcp" });
const tenantProvider = new k8s.Provider("tenant-kcp", { clusterIdentifier: "kcp-tenant" });
const store = new k8s.apiextensions.CustomResource(
    "syncer-store",
    { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "s" } },
    { provider },
);
const short = new KcpSyncer("m01-syncer", {
    provider,
    kcpProvider,
    clusterName: "stone-prd-m01",
    settings,
    readiness: READY,
    kcpEndpoint: { serverUrl: "https://ignored:1", caData: CA },
});
const long = new KcpSyncer("long-syncer", { provider, kcpProvider, clusterName: LONG, settings, readiness: READY });
const eso = new KcpSyncer("eso-syncer", {
    provider,
    kcpProvider,
    clusterName: "eso",
    settings: vault,
    readiness: READY,
    dependsOn: [store],
});
const tenant = new KcpConsumerWorkspace("tenant-a", {
    provider: tenantProvider,
    workspace: "root:pipeline-service:tenant-a",
    computeWorkspace: WS,
});
const [shortUrn, longUrn, esoUrn, tenantUrn, providerUrnValue, kcpUrn, tenantProviderUrn, storeUrn] = await Promise.all(
    [short.urn, long.urn, eso.urn, tenant.urn, provider.urn, kcpProvider.urn, tenantProvider.urn, store.urn].map((o) =>
        promiseOf(o),
    ),
);
await settle();

const id = syncerNamespace("stone-prd-m01", WS);
const KCP_SIDE = ["synctarget", "kcp-sa", "kcp-token", "kcp-role", "kcp-binding"];
const of = (type: string, name: string) => find(type, name);

test("type token; children under the component; the kcp-side objects through the kcp provider, the rest downstream", (t) => {
    t.false(find("pipeline-service:kcp:KcpSyncer", "m01-syncer").custom);
    const overrides = Object.fromEntries(KCP_SIDE.map((x) => [`m01-syncer-${x}`, kcpUrn]));
    const kube = assertK8sChildren(t, shortUrn, providerUrnValue, overrides);
    t.deepEqual(kube.map((c) => c.name.replace("m01-syncer-", "")).sort(), [
        "binding",
        "deployment",
        "dns-binding",
        "dns-role",
        "kcp-binding",
        "kcp-role",
        "kcp-sa",
        "kcp-token",
        "kubeconfig",
        "namespace",
        "role",
        "sa",
        "sa-token",
        "synctarget",
    ]);
    t.true(childrenOf(shortUrn).every((c) => c.parent === shortUrn));
    assertK8sChildren(
        t,
        longUrn,
        providerUrnValue,
        Object.fromEntries(KCP_SIDE.map((x) => [`long-syncer-${x}`, kcpUrn])),
    );
    // externalSecret credentials: no kcp token Secret; the kubeconfig is an ExternalSecret.
    const esoKube = assertK8sChildren(
        t,
        esoUrn,
        providerUrnValue,
        Object.fromEntries(KCP_SIDE.map((x) => [`eso-syncer-${x}`, kcpUrn])),
    );
    t.false(esoKube.some((c) => c.name === "eso-syncer-kcp-token"));
});

test("SyncTarget: cluster name when short, md5 when long; the shape real kcp v0.11.0 accepts", async (t) => {
    const s = of(ST, "m01-syncer-synctarget");
    t.is(s.inputs.metadata.name, "stone-prd-m01");
    t.deepEqual(s.inputs.spec, { unschedulable: false, supportedAPIExports: [{ export: "kubernetes" }] });
    const l = of(ST, "long-syncer-synctarget");
    t.is(l.inputs.metadata.name, syncTargetName(LONG));
    t.regex(l.inputs.metadata.name, /^[a-f0-9]{32}$/);
    t.is(await promiseOf(short.syncTargetName), "stone-prd-m01");
});

test("syncer ID: kcp-syncer-<target>-<8 base36>, every object named by it, DNS objects kcp-dns-...", (t) => {
    t.regex(id, /^kcp-syncer-stone-prd-m01-[0-9a-z]{8}$/);
    t.is(short.syncerId, id);
    for (const [type, name] of [
        ["kubernetes:core/v1:Namespace", "namespace"],
        ["kubernetes:core/v1:ServiceAccount", "sa"],
        ["kubernetes:core/v1:ServiceAccount", "kcp-sa"],
        ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "role"],
        ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "kcp-role"],
        ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "binding"],
        ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kcp-binding"],
        ["kubernetes:core/v1:Secret", "kubeconfig"],
        ["kubernetes:apps/v1:Deployment", "deployment"],
    ] as const)
        t.is(of(type, `m01-syncer-${name}`).inputs.metadata.name, id, name);
    t.is(
        of("kubernetes:rbac.authorization.k8s.io/v1:Role", "m01-syncer-dns-role").inputs.metadata.name,
        id.replace("kcp-syncer-", "kcp-dns-"),
    );
    t.is(
        of("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "m01-syncer-dns-binding").inputs.metadata.name,
        id.replace("kcp-syncer-", "kcp-dns-"),
    );
    t.true(of("kubernetes:core/v1:Namespace", "long-syncer-namespace").inputs.metadata.name.length <= 63);
});

test("kcp side: ServiceAccount in default, the sync.go ClusterRole on the SyncTarget only, binding; all owned by the SyncTarget", (t) => {
    const owner = [
        {
            apiVersion: "workload.kcp.io/v1alpha1",
            kind: "SyncTarget",
            name: "stone-prd-m01",
            uid: mockUid("m01-syncer-synctarget"),
        },
    ];
    const sa = of("kubernetes:core/v1:ServiceAccount", "m01-syncer-kcp-sa");
    t.like(sa.inputs.metadata, { name: id, namespace: "default" });
    t.deepEqual(sa.inputs.metadata.ownerReferences, owner);
    const role = of("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "m01-syncer-kcp-role");
    t.deepEqual(role.inputs.rules, buildKcpSyncerRules("stone-prd-m01"));
    t.deepEqual(role.inputs.metadata.ownerReferences, owner);
    const verbs = (res: string) =>
        role.inputs.rules
            .filter((r: any) => r.resources.includes(res))
            .flatMap((r: any) => r.verbs)
            .sort();
    t.deepEqual(verbs("synctargets"), ["get", "list", "sync", "watch"]);
    t.deepEqual(verbs("synctargets/tunnel"), ["get"]);
    t.deepEqual(verbs("synctargets/status"), ["patch", "update"]);
    t.deepEqual(verbs("apiresourceimports"), ["create", "delete", "get", "list", "update", "watch"]);
    t.true(
        role.inputs.rules
            .filter((r: any) => r.apiGroups[0] === "workload.kcp.io")
            .every((r: any) => JSON.stringify(r.resourceNames) === '["stone-prd-m01"]'),
    );
    const crb = of("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "m01-syncer-kcp-binding");
    t.deepEqual(crb.inputs.subjects, [{ kind: "ServiceAccount", name: id, namespace: "default" }]);
    t.deepEqual(crb.inputs.roleRef, { kind: "ClusterRole", name: id, apiGroup: "rbac.authorization.k8s.io" });
    const token = of("kubernetes:core/v1:Secret", "m01-syncer-kcp-token");
    t.is(token.inputs.type, "kubernetes.io/service-account-token");
    t.is(token.inputs.metadata.annotations["kubernetes.io/service-account.name"], id);
    t.is(
        token.inputs.metadata.annotations["pulumi.com/skipAwait"],
        undefined,
        "the provider must wait for the token controller",
    );
    t.true(token.dependencies.includes(sa.urn));
});

test("compute side: the template's ClusterRole (namespaces incl. delete, endpoints get, networkpolicies, secrets/configmaps *), DNS Role", (t) => {
    const role = of("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "m01-syncer-role");
    t.deepEqual(role.inputs.rules, buildSyncerRules(settings.kcp.resources));
    const rule = (group: string, res: string) =>
        role.inputs.rules.find((r: any) => r.apiGroups[0] === group && r.resources.includes(res));
    t.deepEqual(rule("", "namespaces").verbs, ["create", "get", "list", "watch", "delete"]);
    t.deepEqual(rule("", "endpoints").verbs, ["get"]);
    t.deepEqual(rule("networking.k8s.io", "networkpolicies").verbs, ["create", "list", "watch"]);
    for (const r of ["secrets", "configmaps", "services"]) t.deepEqual(rule("", r).verbs, ["*"], r);
    t.deepEqual(rule("tekton.dev", "pipelineruns").verbs, ["*"]);
    const all = role.inputs.rules.flatMap((r: any) => r.resources);
    for (const bad of ["taskruns", "runs", "customruns"]) t.false(all.includes(bad), bad);
    const crb = of("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "m01-syncer-binding");
    t.deepEqual(crb.inputs.subjects, [{ kind: "ServiceAccount", name: id, namespace: id }]);
    const dns = of("kubernetes:rbac.authorization.k8s.io/v1:Role", "m01-syncer-dns-role");
    t.is(dns.inputs.metadata.namespace, id);
    const dnsRes = dns.inputs.rules.flatMap((r: any) => r.resources).sort();
    t.deepEqual(dnsRes, ["deployments", "endpoints", "rolebindings", "roles", "serviceaccounts", "services"]);
    const rb = of("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "m01-syncer-dns-binding");
    t.deepEqual(rb.inputs.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: dns.inputs.metadata.name,
    });
    t.deepEqual(rb.inputs.subjects, [{ kind: "ServiceAccount", name: id, namespace: id }]);
    const tok = of("kubernetes:core/v1:Secret", "m01-syncer-sa-token");
    t.like(tok.inputs, {
        type: "kubernetes.io/service-account-token",
        metadata: { name: `${id}-token`, namespace: id },
    });
});

test("kubeconfig Secret: a Pulumi secret, server without a path (port explicit), the kcp CA, the token from the kcp token Secret", (t) => {
    const sec = of("kubernetes:core/v1:Secret", "m01-syncer-kubeconfig");
    t.like(sec.inputs.metadata, { name: id, namespace: id });
    t.true(isSecretValue(sec.inputs.stringData), "the kubeconfig is a secret in state");
    const kc = YAML.parse(unsecret<Record<string, string>>(sec.inputs.stringData).kubeconfig!);
    t.is(
        kc.clusters[0].cluster.server,
        "https://kcp.example.com:443",
        "kcp.serverUrl wins, port made explicit, no /clusters path",
    );
    t.notRegex(kc.clusters[0].cluster.server, /\/clusters/);
    t.is(kc.clusters[0].cluster["certificate-authority-data"], CA, "the CA from the kcp kubeconfig");
    t.is(kc.contexts[0].context.namespace, "default");
    t.is(kc.users[0].name, "default-user");
    t.true(sec.dependencies.includes(of("kubernetes:core/v1:Secret", "m01-syncer-kcp-token").urn));
});

test("externalSecret credentials: ExternalSecret from <prefix>/<cluster>/kcp-syncer, same kubeconfig layout, after the store", (t) => {
    const es = of("kubernetes:external-secrets.io/v1:ExternalSecret", "eso-syncer-kubeconfig");
    const n = syncerNamespace("eso", WS);
    t.is(es.inputs.metadata.namespace, n);
    t.deepEqual(es.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/eso/kcp-syncer" } }]);
    t.is(es.inputs.spec.target.name, n);
    const kc = YAML.parse(es.inputs.spec.target.template.data.kubeconfig);
    t.is(kc.clusters[0].cluster.server, "https://kcp.example.com:443");
    t.is(kc.users[0].user.token, "{{ .token }}");
    t.true(es.dependencies.includes(storeUrn));
});

test("Deployment: the template's args in order (NAMESPACE env, --dns-image, QPS 20 / Burst 30, poll and clean-delay)", (t) => {
    const d = of("kubernetes:apps/v1:Deployment", "m01-syncer-deployment");
    t.like(d.inputs.metadata, { name: id, namespace: id });
    t.is(d.inputs.spec.strategy.type, "Recreate");
    t.deepEqual(d.inputs.spec.selector.matchLabels, { app: id });
    const c = d.inputs.spec.template.spec.containers[0];
    t.is(c.name, "kcp-syncer");
    t.deepEqual(c.command, ["/ko-app/syncer"]);
    t.deepEqual(
        c.args,
        syncerArgs(
            { name: "stone-prd-m01", uid: mockUid("m01-syncer-synctarget") },
            WS,
            settings.kcp.resources,
            settings.kcp.syncerImage,
        ),
    );
    t.true(c.args.includes("--qps=20") && c.args.includes("--burst=30"), "not the swapped 30/20");
    t.true(c.args.includes(`--dns-image=${settings.kcp.syncerImage}`));
    t.true(
        c.args.includes("--api-import-poll-interval=1m0s") && c.args.includes("--downstream-namespace-clean-delay=30s"),
    );
    t.true(c.args.includes(`--from-cluster=${WS}`));
    t.deepEqual(c.env, [{ name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }]);
    t.deepEqual(c.resources, SYNCER_RESOURCES);
    t.deepEqual(c.volumeMounts, [{ name: "kcp-config", mountPath: "/kcp/", readOnly: true }]);
    t.is(d.inputs.spec.template.spec.serviceAccountName, id);
    t.deepEqual(d.inputs.spec.template.spec.volumes, [
        { name: "kcp-config", secret: { secretName: id, optional: false } },
    ]);
    for (const dep of ["kubeconfig", "binding", "dns-binding", "kcp-binding", "synctarget"]) {
        const hit = [
            ["kubernetes:core/v1:Secret", "kubeconfig"],
            ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "binding"],
            ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "dns-binding"],
            ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "kcp-binding"],
            [ST, "synctarget"],
        ].find(([, n]) => n === dep)!;
        t.true(d.dependencies.includes(of(hit[0]!, `m01-syncer-${dep}`).urn), dep);
    }
});

test("registerOutputs lists every object", (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(shortUrn)), [
        "clusterRole",
        "clusterRoleBinding",
        "deployment",
        "dnsRole",
        "dnsRoleBinding",
        "kcpClusterRole",
        "kcpClusterRoleBinding",
        "kcpServiceAccount",
        "kcpTokenSecret",
        "kubeconfigSecret",
        "namespace",
        "serviceAccount",
        "serviceAccountToken",
        "syncTarget",
        "syncTargetName",
        "syncerId",
    ]);
    t.deepEqual(outputKeys(registeredOutputs.get(tenantUrn)), ["apiBinding", "placement"]);
});

test("consumer workspace: APIBinding kubernetes-<hash> to <compute>:kubernetes and Placement placement-<hash>, as bind compute", (t) => {
    const kube = assertK8sChildren(t, tenantUrn, tenantProviderUrn);
    t.is(kube.length, 2);
    const b = of("kubernetes:apis.kcp.io/v1alpha1:APIBinding", "tenant-a-apibinding");
    t.is(b.inputs.metadata.name, apiBindingName(WS, "kubernetes"));
    t.regex(b.inputs.metadata.name, /^kubernetes-[0-9a-z]{8}$/);
    t.deepEqual(b.inputs.spec, { reference: { export: { path: WS, name: "kubernetes" } } });
    const p = of("kubernetes:scheduling.kcp.io/v1alpha1:Placement", "tenant-a-placement");
    t.is(p.inputs.metadata.name, placementName(WS));
    t.deepEqual(p.inputs.spec, {
        namespaceSelector: {},
        locationSelectors: [{}],
        locationWorkspace: WS,
        locationResource: { group: "workload.kcp.io", version: "v1alpha1", resource: "synctargets" },
    });
    t.true(p.dependencies.includes(b.urn));
});

// ----- pure builders and naming

test("kcpHash reproduces martinlindhe/base36 EncodeBytes of SHA-224, lower-cased (leading zero bytes as '0')", (t) => {
    // Reference: big-integer base 36 of the digest, as base36.EncodeBytesAsBytes @v1.1.1.
    t.is(kcpHash(""), BigInt("0xd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f").toString(36));
    t.is(syncerId("x", "uid"), `kcp-syncer-x-${kcpHash("uid").slice(0, 8)}`);
    t.is(placementName(WS), `placement-${kcpHash(WS).slice(0, 8)}`);
    t.is(apiBindingName(WS, "kubernetes"), `kubernetes-${kcpHash(`/clusters/${WS}`).slice(0, 8)}`);
    holds(
        t,
        fc.property(fc.string(), (s) => assert.match(kcpHash(s), /^[0-9a-z]{40,45}$/)),
    );
});

test("groupMappings: synced resources plus secrets and configmaps, sorted by group, pods get their subresources", (t) => {
    t.deepEqual(groupMappings(["services", "pipelineruns.tekton.dev", "deployments.apps", "pipelines.tekton.dev"]), [
        { apiGroup: "", resources: ["configmaps", "secrets", "services"] },
        { apiGroup: "apps", resources: ["deployments"] },
        { apiGroup: "tekton.dev", resources: ["pipelineruns", "pipelines"] },
    ]);
    t.true(groupMappings(["pods"])[0]!.resources.includes("pods/exec"));
    holds(
        t,
        fc.property(
            fc.array(
                fc
                    .tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.constantFrom("", ".tekton.dev", ".apps"))
                    .map(([r, g]) => r + g),
                { maxLength: 10 },
            ),
            (rs) => {
                const g = groupMappings(rs);
                const granted = g
                    .flatMap((m) => m.resources.map((r) => `${r}${m.apiGroup ? `.${m.apiGroup}` : ""}`))
                    .filter((r) => !r.startsWith("pods/"));
                assert.deepEqual([...new Set(granted)].sort(), [...new Set([...rs, "secrets", "configmaps"])].sort());
                assert.deepEqual(
                    g.map((m) => m.apiGroup),
                    [...g.map((m) => m.apiGroup)].sort(),
                );
            },
        ),
    );
});

test("splitResource, syncerServerUrl, kcpEndpointOf, workspaceKubeconfig", (t) => {
    t.deepEqual(splitResource("ingresses.networking.k8s.io"), { group: "networking.k8s.io", resource: "ingresses" });
    t.is(syncerServerUrl("https://127.0.0.1:6443/clusters/root:pipeline-service:compute"), "https://127.0.0.1:6443");
    t.is(syncerServerUrl("https://kcp.example.com"), "https://kcp.example.com:443");
    const kc = YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "kcp",
        clusters: [
            {
                name: "kcp",
                cluster: { server: `https://127.0.0.1:7443/clusters/${WS}`, "certificate-authority-data": CA },
            },
        ],
        users: [
            { name: "admin", user: { token: "t" } },
            { name: "other", user: { token: "o" } },
        ],
        contexts: [{ name: "kcp", context: { cluster: "kcp", user: "admin" } }],
    });
    t.deepEqual(kcpEndpointOf(kc), { serverUrl: "https://127.0.0.1:7443", caData: CA });
    t.deepEqual(kcpEndpointOf(kc, "missing"), {});
    const tenantKc = YAML.parse(workspaceKubeconfig(kc, "root:pipeline-service:tenant-a", "kcp"));
    t.is(tenantKc.clusters[0].cluster.server, "https://127.0.0.1:7443/clusters/root:pipeline-service:tenant-a");
    t.deepEqual(tenantKc.users, [{ name: "admin", user: { token: "t" } }]);
    const k = YAML.parse(buildSyncerKubeconfig({ serverUrl: "https://h:1/clusters/x", caData: "Q0E=", token: "tok" }));
    t.like(k, { "current-context": "default-context", users: [{ name: "default-user", user: { token: "tok" } }] });
    t.is(k.clusters[0].cluster.server, "https://h:1");
    t.is(SYNCER_DEFAULTS.qps, 20);
});

test("buildSyncTarget names are DNS labels of at most 43 characters; syncer IDs fit 63", (t) => {
    holds(
        t,
        fc.property(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/), (name) => {
            const st = buildSyncTarget(name);
            assert.ok(st.metadata.name.length <= 43);
            assert.ok(syncerNamespace(st.metadata.name, WS).length <= 63);
        }),
    );
});

test("builders for a consumer workspace are pure and stable", (t) => {
    t.deepEqual(buildComputeApiBinding(WS), buildComputeApiBinding(WS));
    t.not(buildComputePlacement(WS).metadata.name, buildComputePlacement("root:other:compute").metadata.name);
});

// ----- bad input (issue 8 §6): validation errors naming the key and the fix

function problems(mutate: (raw: Record<string, any>) => void): string[] {
    const raw: Record<string, any> = {
        environment: "local",
        gateway: { mode: "fanout", hostname: "webhooks.example.com" },
        gitops: { repoUrl: "https://github.com/example/gitops.git", revision: "main", path: "clusters" },
        osp: { subscription: { channel: "pipelines-1.20" } },
        kcpKubeconfig: { path: ".local/kubeconfig", context: "kcp" },
        kcp: { enabled: true, consumerWorkspaces: ["root:pipeline-service:tenant-a"] },
        results: { watcherGracePeriod: "0s" },
        clusters: [{ name: "c1", kubeconfig: { context: "c1" }, ring: 0, appsDomain: "apps.c1.example.com" }],
    };
    mutate(raw);
    return configProblems("local", raw);
}
const named = problemFor;

test("the base of the bad-input tests is valid (so each failure below is the mutation's)", (t) => {
    const ps = problems(() => {}).filter((p) => !/osp\.|gitops\./.test(p));
    t.deepEqual(ps, []);
});

test("bad input: a consumer workspace not under the platform's workspace", (t) => {
    const p = named(
        problems((r) => {
            r.kcp.consumerWorkspaces = ["root:other-org:tenant-a"];
        }),
        "kcp.consumerWorkspaces[0]",
    );
    t.truthy(p);
    t.regex(p!, /not under the platform's workspace 'root:pipeline-service'/);
    t.regex(p!, /Fix: /);
    t.truthy(
        named(
            problems((r) => {
                r.kcp.consumerWorkspaces = [WS];
            }),
            "kcp.consumerWorkspaces[0]",
        ),
        "the compute workspace itself",
    );
});

test("bad input: an unknown workspace path format", (t) => {
    for (const bad of ["pipeline-service:tenant-a", "root::tenant", "root:Tenant_A", "root"]) {
        const p = named(
            problems((r) => {
                r.kcp.consumerWorkspaces = [bad];
            }),
            "kcp.consumerWorkspaces[0]",
        );
        t.truthy(p, bad);
        t.regex(p!, /must be a kcp workspace path like root:pipeline-service:tenant-a/);
    }
    t.truthy(
        named(
            problems((r) => {
                r.kcp.workspace = "compute";
            }),
            "kcp.workspace",
        ),
    );
});

test("bad input: kcp enabled without a kcp kubeconfig, and without a server URL to derive", (t) => {
    const p = named(
        problems((r) => {
            delete r.kcpKubeconfig;
        }),
        "kcpKubeconfig",
    );
    t.truthy(p);
    t.regex(p!, /set kcpKubeconfig.context \(and path\) or kcpKubeconfig.secretConfigKey, or set kcp.enabled to false/);
    const s = named(
        problems((r) => {
            r.kcpKubeconfig = { context: "kcp" };
        }),
        "kcp.serverUrl",
    );
    t.regex(s ?? "", /names no file to take the kcp server from/);
    t.is(
        named(
            problems((r) => {
                r.kcpKubeconfig = { context: "kcp" };
                r.kcp.serverUrl = "https://kcp.example.com";
            }),
            "kcp.serverUrl",
        ),
        undefined,
    );
});

test("Phase 1 rules with kcp on: pruner taskrun only, watcher never deletes, never the default SA; kcp off keeps today's rules", (t) => {
    const pr = named(
        problems((r) => {
            r.tekton = {
                operatorPruner: { disabled: false, keep: 5, schedule: "*/30 * * * *", resources: ["pipelinerun"] },
            };
        }),
        "tekton.operatorPruner.resources",
    );
    t.regex(pr ?? "", /must be \[taskrun\].*re-creates a PipelineRun pruned/);
    t.is(
        named(
            problems((r) => {
                r.tekton = {
                    operatorPruner: { disabled: false, keep: 5, schedule: "*/30 * * * *", resources: ["taskrun"] },
                };
            }),
            "tekton.operatorPruner.resources",
        ),
        undefined,
    );
    t.regex(
        named(
            problems((r) => {
                r.results.watcherGracePeriod = "10m";
            }),
            "results.watcherGracePeriod",
        ) ?? "",
        /must be 0s while kcp.enabled/,
    );
    t.regex(
        named(
            problems((r) => {
                r.tekton = { defaultServiceAccount: "default" };
            }),
            "tekton.defaultServiceAccount",
        ) ?? "",
        /never `default`/,
    );
    t.regex(
        named(
            problems((r) => {
                r.tekton = { defaultServiceAccount: "appstudio-pipeline" };
            }),
            "tekton.defaultServiceAccount",
        ) ?? "",
        /must be pipeline \(or unset\) while kcp.enabled is true, not 'appstudio-pipeline'.*createRbacResource "true"/,
    );
    const off = (r: Record<string, any>) => {
        r.kcp = { enabled: false };
    };
    t.regex(
        named(
            problems((r) => {
                off(r);
                r.tekton = {
                    operatorPruner: { disabled: false, keep: 5, schedule: "*/30 * * * *", resources: ["taskrun"] },
                };
            }),
            "tekton.operatorPruner.resources",
        ) ?? "",
        /must be \[pipelinerun\]/,
    );
    t.is(
        named(
            problems((r) => {
                off(r);
                r.results.watcherGracePeriod = "10m";
            }),
            "results.watcherGracePeriod",
        ),
        undefined,
    );
    t.is(
        named(
            problems((r) => {
                off(r);
                r.tekton = { defaultServiceAccount: "appstudio-pipeline" };
            }),
            "tekton.defaultServiceAccount",
        ),
        undefined,
        "ADR-0025's appstudio-pipeline without kcp",
    );
});
