import test from "ava";
import assert from "node:assert/strict";
import fc from "fast-check";
import { find, installMocks, promiseOf, registeredOutputs, settle } from "../helpers/mocks.js";
import { READY, assertK8sChildren, childrenOf, clusterSettings, outputKeys } from "../helpers/fixtures.js";
import { holds } from "../helpers/property.js";
import { syncerNamespace, syncTargetName } from "../../../lib/naming.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const { KcpSyncer, SYNCER_RESOURCES, buildSyncTarget, buildSyncerRules, splitResource, syncerArgs } = await import("../../../components/kcpSyncer.js");

const ST = "kubernetes:workload.kcp.io/v1alpha1:SyncTarget";
const prod = clusterSettings("prod", 1);
const LONG = "a-very-long-compute-cluster-name-that-exceeds-forty-three-chars";
const provider = new k8s.Provider("syncer-k8s", { clusterIdentifier: "syncer" });
const kcpProvider = new k8s.Provider("syncer-kcp", { clusterIdentifier: "kcp" });
const store = new k8s.apiextensions.CustomResource("syncer-store", { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "s" } }, { provider });
const short = new KcpSyncer("m01-syncer", { provider, kcpProvider, clusterName: "stone-prd-m01", settings: prod, readiness: READY, dependsOn: [store] });
const long = new KcpSyncer("long-syncer", { provider, kcpProvider, clusterName: LONG, settings: prod, readiness: READY });
const [shortUrn, longUrn, providerUrnValue, kcpUrn, storeUrn] = await Promise.all([short.urn, long.urn, provider.urn, kcpProvider.urn, store.urn].map((o) => promiseOf(o)));
await settle();

const ws = "root:pipeline-service:compute";
const ns = syncerNamespace("stone-prd-m01", ws);

test("type token; children under the component; the SyncTarget alone goes through the kcp provider", (t) => {
    t.false(find("pipeline-service:kcp:KcpSyncer", "m01-syncer").custom);
    const kube = assertK8sChildren(t, shortUrn, providerUrnValue, { "m01-syncer-synctarget": kcpUrn });
    t.deepEqual(kube.map((c) => c.name).sort(), [
        "m01-syncer-binding", "m01-syncer-deployment", "m01-syncer-kubeconfig", "m01-syncer-namespace", "m01-syncer-role", "m01-syncer-sa", "m01-syncer-synctarget",
    ]);
    t.true(childrenOf(shortUrn).every((c) => c.parent === shortUrn));
    assertK8sChildren(t, longUrn, providerUrnValue, { "long-syncer-synctarget": kcpUrn });
});

test("SyncTarget: cluster name when short, md5 when long", async (t) => {
    const s = find(ST, "m01-syncer-synctarget");
    t.is(s.inputs.metadata.name, "stone-prd-m01");
    t.is(s.inputs.metadata.labels["pipeline-service.io/compute-cluster"], "stone-prd-m01");
    t.deepEqual(s.inputs.spec, { unschedulable: false, supportedAPIExports: [{ export: "kubernetes" }] });
    const l = find(ST, "long-syncer-synctarget");
    t.regex(l.inputs.metadata.name, /^[a-f0-9]{32}$/);
    t.is(l.inputs.metadata.name, syncTargetName(LONG));
    t.is(await promiseOf(long.syncTargetName), syncTargetName(LONG));
    t.is(await promiseOf(short.syncTargetName), "stone-prd-m01");
});

test("namespace kcp-syncer-<target>-<hash8>, <= 63 characters, for short and long names", (t) => {
    t.is(find("kubernetes:core/v1:Namespace", "m01-syncer-namespace").inputs.metadata.name, ns);
    const longNs = find("kubernetes:core/v1:Namespace", "long-syncer-namespace").inputs.metadata.name;
    t.is(longNs, syncerNamespace(syncTargetName(LONG), ws));
    t.true(longNs.length <= 63);
    t.regex(ns, /^kcp-syncer-stone-prd-m01-[a-f0-9]{8}$/);
});

test("ClusterRole covers exactly the synced resources, never taskruns or runs", (t) => {
    const role = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "m01-syncer-role");
    t.deepEqual(role.inputs.rules, buildSyncerRules(prod.kcp.resources));
    const all = role.inputs.rules.flatMap((r: { resources: string[] }) => r.resources);
    for (const bad of ["taskruns", "runs", "customruns"]) t.false(all.includes(bad), bad);
    t.true(all.includes("pipelineruns") && all.includes("pipelineruns/status"));
    const crb = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "m01-syncer-binding");
    t.deepEqual(crb.inputs.subjects, [{ kind: "ServiceAccount", name: "kcp-syncer-stone-prd-m01", namespace: ns }]);
    t.is(crb.inputs.roleRef.name, "kcp-syncer-stone-prd-m01");
});

test("kubeconfig ExternalSecret: <prefix>/<cluster>/kcp-syncer, server /clusters/<workspace>, after the store", (t) => {
    const es = find("kubernetes:external-secrets.io/v1:ExternalSecret", "m01-syncer-kubeconfig");
    t.is(es.inputs.metadata.namespace, ns);
    t.deepEqual(es.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/stone-prd-m01/kcp-syncer" } }]);
    t.is(es.inputs.spec.target.name, "kcp-syncer-kubeconfig");
    const kc: string = es.inputs.spec.target.template.data.kubeconfig;
    t.true(kc.includes(`server: "https://kcp.pipeline-service.example.com/clusters/${ws}"`));
    t.true(kc.includes('token: "{{ .token }}"'));
    t.true(es.dependencies.includes(storeUrn));
    t.true(es.dependencies.includes(find("kubernetes:core/v1:Namespace", "m01-syncer-namespace").urn));
});

test("Deployment: syncer args from the SyncTarget's name and UID, restricted, sized, Recreate", (t) => {
    const d = find("kubernetes:apps/v1:Deployment", "m01-syncer-deployment");
    t.like(d.inputs.metadata, { name: "kcp-syncer-stone-prd-m01", namespace: ns });
    t.is(d.inputs.spec.strategy.type, "Recreate");
    const c = d.inputs.spec.template.spec.containers[0];
    t.is(c.image, prod.kcp.syncerImage);
    t.deepEqual(c.args, syncerArgs({ name: "stone-prd-m01", uid: "uid-m01-syncer-synctarget" }, ws, prod.kcp.resources));
    t.deepEqual(c.resources, SYNCER_RESOURCES);
    t.is(d.inputs.spec.template.spec.serviceAccountName, "kcp-syncer-stone-prd-m01");
    t.deepEqual(d.inputs.spec.template.spec.volumes, [{ name: "kcp-config", secret: { secretName: "kcp-syncer-kubeconfig", optional: false } }]);
    t.true(d.dependencies.includes(find("kubernetes:external-secrets.io/v1:ExternalSecret", "m01-syncer-kubeconfig").urn));
    t.true(d.dependencies.includes(find(ST, "m01-syncer-synctarget").urn));
});

test("registerOutputs", (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(shortUrn)),
        ["clusterRole", "deployment", "kubeconfigSecret", "namespace", "serviceAccount", "syncTarget", "syncTargetName"]);
});

// ----- pure builders

test("splitResource", (t) => {
    t.deepEqual(splitResource("pipelineruns.tekton.dev"), { group: "tekton.dev", resource: "pipelineruns" });
    t.deepEqual(splitResource("ingresses.networking.k8s.io"), { group: "networking.k8s.io", resource: "ingresses" });
    t.deepEqual(splitResource("services"), { group: "", resource: "services" });
});

test("buildSyncerRules: base rules, then one rule per group with each resource and its status, sorted", (t) => {
    t.deepEqual(buildSyncerRules(["services", "pipelineruns.tekton.dev", "deployments.apps", "pipelines.tekton.dev"]), [
        { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "get", "list", "watch"] },
        { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["services", "services/status"], verbs: ["*"] },
        { apiGroups: ["apps"], resources: ["deployments", "deployments/status"], verbs: ["*"] },
        { apiGroups: ["tekton.dev"], resources: ["pipelineruns", "pipelineruns/status", "pipelines", "pipelines/status"], verbs: ["*"] },
    ]);
    const res = fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.constantFrom("", ".tekton.dev", ".apps", ".networking.k8s.io")).map(([r, g]) => r + g);
    holds(t, fc.property(fc.array(res, { minLength: 1, maxLength: 12 }), (resources) => {
        const rules = buildSyncerRules(resources).slice(2);
        const granted = rules.flatMap((r) => (r.resources as string[]).map((x) => `${(r.apiGroups as string[])[0]}|${x}`));
        assert.equal(new Set(granted).size, granted.length, "no duplicates");
        for (const r of resources) {
            const { group, resource } = splitResource(r);
            assert.ok(granted.includes(`${group}|${resource}`) && granted.includes(`${group}|${resource}/status`), r);
        }
        assert.equal(granted.length, 2 * new Set(resources).size, "nothing beyond the synced resources");
        const groups = rules.map((r) => (r.apiGroups as string[])[0]!);
        assert.deepEqual(groups, [...groups].sort((a, b) => a.localeCompare(b)));
    }));
});

test("syncerArgs", (t) => {
    t.deepEqual(syncerArgs({ name: "n", uid: "u" }, "root:a", ["x", "y.z"]), [
        "--from-kubeconfig=/kcp/kubeconfig", "--sync-target-name=n", "--sync-target-uid=u", "--from-cluster=root:a",
        "--resources=x", "--resources=y.z", "--qps=30", "--burst=20",
    ]);
});

test("buildSyncTarget names are DNS labels of at most 43 characters for any DNS-label cluster name", (t) => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    holds(t, fc.property(label, (name) => {
        const st = buildSyncTarget(name);
        assert.ok(st.metadata.name.length <= 43);
        assert.match(st.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        assert.ok((st.metadata.labels!["pipeline-service.io/compute-cluster"] ?? "").length <= 63);
    }));
});
