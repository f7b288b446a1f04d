import test from "ava";
import assert from "node:assert/strict";
import fc from "fast-check";
import { holds } from "../helpers/property.js";
import { collected, find, installMocks, ofKind, promiseOf, registeredOutputs, settle } from "../helpers/mocks.js";
import { READY, assertK8sChildren, clusterSettings, defaultSettings, isSecretValue, outputKeys, unsecret } from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const { ExternalSecrets, buildClusterSecretStore, buildExternalSecret, vaultKey, ESO_API } = await import("../../../components/externalSecrets.js");

const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const ES = "kubernetes:external-secrets.io/v1:ExternalSecret";
const prod = clusterSettings("prod", 0);
const dev = defaultSettings();
dev.secrets.mode = "generated";

const provider = new k8s.Provider("eso-k8s", { clusterIdentifier: "eso" });
const ns = new k8s.core.v1.Namespace("eso-ns", { metadata: { name: "openshift-pipelines" } }, { provider });
const consumers = ["openshift-pipelines", "sprayproxy", "kcp-syncer-x-12345678", "openshift-pipelines"];
const ext = new ExternalSecrets("ext-secrets", { provider, clusterName: "stone-prd-rh01", settings: prod, consumerNamespaces: consumers, readiness: READY, dependsOn: [ns] });
const gen = new ExternalSecrets("gen-secrets", { provider, clusterName: "dev-1", settings: dev, consumerNamespaces: ["openshift-pipelines"], readiness: READY });
const [extUrn, genUrn, providerUrnValue, nsUrn] = await Promise.all([ext.urn, gen.urn, provider.urn, ns.urn].map((o) => promiseOf(o)));
await settle();

test("type token; children on the explicit provider", (t) => {
    t.false(find("pipeline-service:secrets:ExternalSecrets", "ext-secrets").custom);
    t.deepEqual(assertK8sChildren(t, extUrn, providerUrnValue).map((c) => c.name).sort(),
        ["ext-secrets-chains-signing-secret", "ext-secrets-pac-secret", "ext-secrets-store"]);
    t.deepEqual(assertK8sChildren(t, genUrn, providerUrnValue).map((c) => c.name), ["gen-secrets-pac-secret"]);
});

test("ClusterSecretStore: Vault with Kubernetes auth; conditions cover every consumer namespace once, sorted", (t) => {
    const s = find(STORE, "ext-secrets-store");
    t.is(s.inputs.apiVersion, ESO_API);
    t.is(s.inputs.metadata.name, "appsre-stonesoup-vault");
    t.is(s.inputs.metadata.namespace, undefined);
    t.deepEqual(s.inputs.spec.provider.vault, {
        server: "https://vault.ci.ext.devshift.net", path: "stonesoup", version: "v2",
        auth: { kubernetes: { mountPath: "kubernetes", role: "pipeline-service", serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" } } },
    });
    t.deepEqual(s.inputs.spec.conditions, [{ namespaces: ["kcp-syncer-x-12345678", "openshift-pipelines", "sprayproxy"] }]);
});

test("pipelines-as-code-secret: <prefix>/github-app, refresh <= 5m, owned by ESO, after the store and namespace", (t) => {
    const pac = find(ES, "ext-secrets-pac-secret");
    t.like(pac.inputs.metadata, { name: "pipelines-as-code-secret", namespace: "openshift-pipelines" });
    t.deepEqual(pac.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/github-app" } }]);
    t.is(pac.inputs.spec.refreshInterval, "5m");
    t.deepEqual(pac.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "appsre-stonesoup-vault" });
    t.deepEqual(pac.inputs.spec.target, { name: "pipelines-as-code-secret", creationPolicy: "Owner", deletionPolicy: "Delete" });
    t.like(pac.inputs.metadata.annotations, { "argocd.argoproj.io/sync-wave": "-1", "pulumi.com/waitFor": "condition=Ready" });
    t.true(pac.dependencies.includes(find(STORE, "ext-secrets-store").urn));
    t.true(pac.dependencies.includes(nsUrn));
});

test("Chains signing secret: per cluster, Orphan, Prune=false", (t) => {
    const ch = find(ES, "ext-secrets-chains-signing-secret");
    t.deepEqual(ch.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/stone-prd-rh01/chains-signing-secret" } }]);
    t.is(ch.inputs.spec.target.name, "signing-secrets");
    t.is(ch.inputs.spec.target.creationPolicy, "Orphan");
    t.false("deletionPolicy" in ch.inputs.spec.target);
    t.is(ch.inputs.spec.target.template.metadata.annotations["argocd.argoproj.io/sync-options"], "Prune=false");
});

test("every ExternalSecret's namespace is allowed by the store", (t) => {
    const allowed: string[] = find(STORE, "ext-secrets-store").inputs.spec.conditions[0].namespaces;
    for (const es of ofKind("ExternalSecret", "ext-")) t.true(allowed.includes(es.inputs.metadata.namespace), es.name);
});

test("generated mode: random webhook secret as a secret Secret, no store, no Chains ExternalSecret", async (t) => {
    t.is(collected.filter((c) => (c.type === STORE || c.type === ES) && c.name.startsWith("gen-")).length, 0);
    const pw = find("random:index/randomPassword:RandomPassword", "gen-secrets-webhook-secret");
    t.like(pw.inputs, { length: 40, special: false });
    const s = find("kubernetes:core/v1:Secret", "gen-secrets-pac-secret");
    t.like(s.inputs.metadata, { name: "pipelines-as-code-secret", namespace: "openshift-pipelines" });
    t.true(isSecretValue(s.inputs.stringData));
    t.deepEqual(unsecret(s.inputs.stringData), { "webhook.secret": "generated-gen-secrets-webhook-secret" });
    t.is(gen.store, undefined);
    t.is(gen.chainsSigningSecret, undefined);
    t.is(await promiseOf(gen.storeName), "appsre-stonesoup-vault");
    t.is(await promiseOf(ext.storeName), "appsre-stonesoup-vault");
});

test("registerOutputs", (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(extUrn)), ["chainsSigningSecret", "pacSecret", "store", "storeName"]);
    t.deepEqual(outputKeys(registeredOutputs.get(genUrn)), ["pacSecret", "storeName", "webhookSecret"]);
});

// ----- pure builders

test("vaultKey: prefixes relative keys once, keeps absolute ones, tolerates slashes", (t) => {
    t.is(vaultKey("production/pipeline-service", "github-app"), "production/pipeline-service/github-app");
    t.is(vaultKey("production/pipeline-service/", "/github-app"), "production/pipeline-service/github-app");
    t.is(vaultKey("production/pipeline-service", "production/pipeline-service/x"), "production/pipeline-service/x");
    const seg = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    const path = fc.array(seg, { minLength: 1, maxLength: 4 }).map((xs) => xs.join("/"));
    holds(t, fc.property(path, path, fc.nat(3), fc.nat(3), (prefix, key, trail, lead) => {
        const p = prefix + "/".repeat(trail);
        const once = vaultKey(p, "/".repeat(lead) + key);
        assert.ok(once.startsWith(`${prefix}/`));
        assert.equal(vaultKey(p, once), once, "idempotent");
        assert.ok(!once.includes("//"));
    }));
});

test("buildClusterSecretStore: conditions are exactly the set of consumers", (t) => {
    const ns = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);
    holds(t, fc.property(fc.array(ns, { maxLength: 10 }), (namespaces) => {
        const spec = buildClusterSecretStore(prod.secretStore, namespaces).spec as { conditions: { namespaces: string[] }[] };
        const got = spec.conditions[0]!.namespaces;
        assert.deepEqual(got, [...new Set(namespaces)].sort());
        for (const n of namespaces) assert.ok(got.includes(n), n);
    }));
});

test("buildExternalSecret: ClusterSecretStore reference, extract of one key, skip-dry-run annotation", (t) => {
    const es = buildExternalSecret({ name: "a", namespace: "b", storeName: "s", key: "p/k", refreshInterval: "1m", target: { name: "a" }, readiness: { waitFor: false, timeoutSeconds: 60 } });
    t.is(es.apiVersion, "external-secrets.io/v1");
    t.is(es.metadata.annotations?.["argocd.argoproj.io/sync-options"], "SkipDryRunOnMissingResource=true");
    t.is(es.metadata.annotations?.["pulumi.com/skipAwait"], "true");
    t.deepEqual(es.spec, { refreshInterval: "1m", secretStoreRef: { kind: "ClusterSecretStore", name: "s" }, dataFrom: [{ extract: { key: "p/k" } }], target: { name: "a" } });
});
