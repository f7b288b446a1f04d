import test from "ava";
import assert from "node:assert/strict";
import fc from "fast-check";
import { holds } from "../helpers/property.js";
import { collected, find, installMocks, ofKind, promiseOf, registeredOutputs, settle } from "../../helpers/mocks.js";
import {
    READY,
    assertK8sChildren,
    clusterSettings,
    defaultSettings,
    isSecretValue,
    outputKeys,
    unsecret,
} from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const { ExternalSecrets, buildEsoOperator } = await import("../../../components/externalSecrets.js");
const { buildClusterSecretStore, referencedStoreNames } = await import("../../../lib/clusterSecretStores.js");
const { SHARED_SECRET_STORES } = await import("../../../lib/secretStores.js");
const { buildExternalSecret, vaultKey, ESO_API } = await import("../../../lib/externalSecret.js");

const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
const ES = "kubernetes:external-secrets.io/v1:ExternalSecret";
const prod = clusterSettings("prod", 0);
const dev = defaultSettings();
dev.secrets.mode = "generated";
// Owned stores: Vault with appRole (as upstream), and the local control plane's kubernetes store, plus the operator.
const owned = clusterSettings("prod", 0);
owned.secretStore.manage = true;
owned.secretStore.namespaces = ["build-service"];
owned.externalSecrets.installOperator = true;
const local = clusterSettings("local", 0);

const provider = new k8s.Provider("eso-k8s", { clusterIdentifier: "eso" });
const ns = new k8s.core.v1.Namespace("eso-ns", { metadata: { name: "openshift-pipelines" } }, { provider });
const consumers = ["openshift-pipelines", "sprayproxy", "kcp-syncer-x-12345678", "openshift-pipelines"];
const ext = new ExternalSecrets("ext-secrets", {
    provider,
    clusterName: "stone-prd-rh01",
    settings: owned,
    consumerNamespaces: consumers,
    readiness: READY,
    dependsOn: [ns],
});
const gen = new ExternalSecrets("gen-secrets", {
    provider,
    clusterName: "dev-1",
    settings: dev,
    consumerNamespaces: ["openshift-pipelines"],
    readiness: READY,
});
// prod as committed: the shared store is referenced and read (checked) during preview, never created.
const refd = new ExternalSecrets("ref-secrets", {
    provider,
    clusterName: "stone-prd-m01",
    settings: prod,
    consumerNamespaces: consumers,
    readiness: READY,
    checkStoresExist: true,
});
const rendered = new ExternalSecrets("render-secrets", {
    provider,
    clusterName: "stone-prd-m02",
    settings: prod,
    consumerNamespaces: consumers,
    readiness: READY,
    checkStoresExist: false,
});
const loc = new ExternalSecrets("loc-secrets", {
    provider,
    clusterName: "compute-1",
    settings: local,
    consumerNamespaces: ["openshift-pipelines"],
    readiness: READY,
});
const [extUrn, genUrn, refUrn, providerUrnValue, nsUrn] = await Promise.all(
    [ext.urn, gen.urn, refd.urn, provider.urn, ns.urn].map((o) => promiseOf(o)),
);
await settle();

test("type token; children on the explicit provider", (t) => {
    t.false(find("pipeline-service:secrets:ExternalSecrets", "ext-secrets").custom);
    t.deepEqual(
        assertK8sChildren(t, extUrn, providerUrnValue)
            .map((c) => c.name)
            .sort(),
        [
            "ext-secrets-chains-public-key",
            "ext-secrets-chains-signing-secret",
            "ext-secrets-eso-namespace",
            "ext-secrets-eso-operator-group",
            "ext-secrets-eso-subscription",
            "ext-secrets-pac-secret",
            "ext-secrets-store",
            // Results' own store (results.secretStore, e.g. appsre-vault as infra-deployments), when set: owned here too.
            ...referencedStoreNames(owned)
                .slice(1)
                .map((n) => `ext-secrets-store-${n}`),
        ].sort(),
    );
    t.deepEqual(
        assertK8sChildren(t, genUrn, providerUrnValue).map((c) => c.name),
        ["gen-secrets-pac-secret"],
    );
});

test("managed store: Vault with appRole auth as upstream; conditions: the configured namespaces plus every consumer, once, sorted", (t) => {
    // infra-deployments components/cluster-secret-store/base/appsre-stonesoup-vault-secret-store.yaml@a601cbe7 and
    // production/approle-id-patch.yaml@a601cbe7.
    const s = find(STORE, "ext-secrets-store");
    t.is(s.inputs.apiVersion, ESO_API);
    t.is(s.inputs.metadata.name, "appsre-stonesoup-vault");
    t.is(s.inputs.metadata.namespace, undefined);
    t.deepEqual(s.inputs.spec.provider, {
        vault: {
            server: "https://vault.ci.ext.devshift.net",
            path: "stonesoup",
            version: "v2",
            auth: {
                appRole: {
                    path: "approle",
                    roleId: "8ef732dc-177a-a940-ebd4-f25bd2607bd2",
                    secretRef: { name: "appsre-vault", key: "secret-id", namespace: "appsre-vault" },
                },
            },
        },
    });
    t.deepEqual(s.inputs.spec.conditions, [
        { namespaces: ["build-service", "kcp-syncer-x-12345678", "openshift-pipelines", "sprayproxy"] },
    ]);
});

test("referenced store (manage: false, the default): read during preview as <cluster>-store-ref-<store>, never created", (t) => {
    const read = find(STORE, "stone-prd-m01-store-ref-appsre-stonesoup-vault");
    t.is(read.parent, refUrn);
    t.is(collected.filter((c) => c.type === STORE && c.name.startsWith("ref-secrets")).length, 0);
    const pac = find(ES, "ref-secrets-pac-secret");
    t.true(pac.dependencies.includes(read.urn), "the ExternalSecrets wait for the existence check");
    t.deepEqual(pac.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "appsre-stonesoup-vault" });
    t.truthy(refd.store);
    t.false(prod.secretStore.manage);
});

test("referenced store in render mode: no read (no cluster), no store, the ExternalSecrets still reference it by name", async (t) => {
    t.is(collected.filter((c) => c.type === STORE && /stone-prd-m02|render-secrets/.test(c.name)).length, 0);
    t.is(rendered.store, undefined);
    t.is(await promiseOf(rendered.storeName), "appsre-stonesoup-vault");
    t.is(find(ES, "render-secrets-pac-secret").inputs.spec.secretStoreRef.name, "appsre-stonesoup-vault");
});

test("the local stack's store: kubernetes provider over the seeded namespace, keys are Secret names", (t) => {
    t.true(local.secretStore.manage);
    const s = find(STORE, "loc-secrets-store");
    t.deepEqual(s.inputs.spec.provider, {
        kubernetes: {
            remoteNamespace: "pipeline-service-secrets",
            authRef: { name: "eso-store-kubeconfig", key: "kubeconfig", namespace: "pipeline-service-secrets" },
        },
    });
    const keys: string[] = ofKind("ExternalSecret", "loc-").flatMap((es) => [
        ...(es.inputs.spec.dataFrom ?? []).map((d: { extract: { key: string } }) => d.extract.key),
        ...(es.inputs.spec.data ?? []).map((d: { remoteRef: { key: string } }) => d.remoteRef.key),
    ]);
    t.true(keys.length >= 2);
    for (const k of keys) t.regex(k, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `${k} is a valid Secret name`);
    t.true(keys.includes("local.pipeline-service.github-app"));
    t.true(keys.includes("local.pipeline-service.compute-1.chains-signing-secret"));
});

test("External Secrets operator: OperatorGroup and a Manual, pinned Subscription (external-secrets-operator/base/subscription.yaml@a601cbe7)", (t) => {
    const og = find("kubernetes:operators.coreos.com/v1:OperatorGroup", "ext-secrets-eso-operator-group").inputs;
    t.like(og.metadata, { name: "external-secrets-operator", namespace: "external-secrets-operator" });
    t.deepEqual(og.spec, { targetNamespaces: ["external-secrets-operator"] });
    const sub = find("kubernetes:operators.coreos.com/v1alpha1:Subscription", "ext-secrets-eso-subscription").inputs;
    t.like(sub.metadata, { name: "external-secrets-operator", namespace: "external-secrets-operator" });
    t.deepEqual(sub.spec, {
        channel: "stable",
        installPlanApproval: "Manual",
        name: "external-secrets-operator",
        source: "community-operators",
        sourceNamespace: "openshift-marketplace",
        startingCSV: "external-secrets-operator.v0.8.1",
    });
    // Manual approval needs a person; awaiting AtLatestKnown would time out.
    t.is(sub.metadata.annotations["pulumi.com/skipAwait"], "true");
    t.true(
        find(STORE, "ext-secrets-store").dependencies.includes(
            find("kubernetes:operators.coreos.com/v1alpha1:Subscription", "ext-secrets-eso-subscription").urn,
        ),
    );
    t.is(
        collected.filter((c) => c.type.endsWith(":OperatorGroup") && !c.name.startsWith("ext-")).length,
        0,
        "only where config asks",
    );
    t.like(buildEsoOperator(owned.externalSecrets).subscription, {
        name: "external-secrets-operator",
        installPlanApproval: "Manual",
        readiness: { waitFor: false, timeoutSeconds: 60 },
    });
});

test("referencedStoreNames: the primary store and Results' own store, once each", (t) => {
    const s = defaultSettings();
    t.deepEqual(referencedStoreNames(s).slice(0, 1), ["appsre-stonesoup-vault"]);
    const withResults = { ...s, results: { ...s.results, secretStore: "appsre-vault" } } as typeof s;
    t.deepEqual(
        referencedStoreNames({
            ...s,
            results: { ...s.results, secretStore: { name: "appsre-vault" } },
        } as unknown as typeof s),
        ["appsre-stonesoup-vault", "appsre-vault"],
    );
    t.deepEqual(referencedStoreNames(withResults), ["appsre-stonesoup-vault", "appsre-vault"]);
    const same = { ...s, results: { ...s.results, secretStore: "appsre-stonesoup-vault" } } as typeof s;
    t.deepEqual(referencedStoreNames(same), ["appsre-stonesoup-vault"]);
});

test("SHARED_SECRET_STORES: upstream's tenants of the two shared stores (a601cbe7)", (t) => {
    t.is(SHARED_SECRET_STORES["appsre-stonesoup-vault"]!.length, 21);
    t.true(SHARED_SECRET_STORES["appsre-stonesoup-vault"]!.includes("build-service"));
    t.true(SHARED_SECRET_STORES["appsre-stonesoup-vault"]!.includes("openshift-pipelines"));
    t.deepEqual(
        [...SHARED_SECRET_STORES["appsre-vault"]!],
        ["tekton-results", "gitops", "spi-system", "remotesecret", "openshift-adp"],
    );
});

test("pipelines-as-code-secret: <prefix>/github-app, refresh <= 5m, owned by ESO, after the store and namespace", (t) => {
    const pac = find(ES, "ext-secrets-pac-secret");
    t.like(pac.inputs.metadata, { name: "pipelines-as-code-secret", namespace: "openshift-pipelines" });
    t.deepEqual(pac.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/github-app" } }]);
    t.is(pac.inputs.spec.refreshInterval, "5m");
    t.deepEqual(pac.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "appsre-stonesoup-vault" });
    t.deepEqual(pac.inputs.spec.target, {
        name: "pipelines-as-code-secret",
        creationPolicy: "Owner",
        deletionPolicy: "Delete",
    });
    t.like(pac.inputs.metadata.annotations, {
        "argocd.argoproj.io/sync-wave": "-1",
        "pulumi.com/waitFor": "condition=Ready",
    });
    t.true(pac.dependencies.includes(find(STORE, "ext-secrets-store").urn));
    t.true(pac.dependencies.includes(nsUrn));
});

test("Chains signing secret: per cluster, Orphan, Prune=false", (t) => {
    const ch = find(ES, "ext-secrets-chains-signing-secret");
    t.deepEqual(ch.inputs.spec.dataFrom, [
        { extract: { key: "production/pipeline-service/stone-prd-rh01/chains-signing-secret" } },
    ]);
    t.is(ch.inputs.spec.target.name, "signing-secrets");
    t.is(ch.inputs.spec.target.creationPolicy, "Orphan");
    t.false("deletionPolicy" in ch.inputs.spec.target);
    t.is(ch.inputs.spec.target.template.metadata.annotations["argocd.argoproj.io/sync-options"], "Prune=false");
});

test("Chains public key: tekton-chains-public-key -> Secret public-key, cosign.pub only (never the private key), Orphan", (t) => {
    const pk = find(ES, "ext-secrets-chains-public-key");
    const signing = find(ES, "ext-secrets-chains-signing-secret");
    t.like(pk.inputs.metadata, { name: "tekton-chains-public-key", namespace: "openshift-pipelines" });
    t.false("dataFrom" in pk.inputs.spec, "no extract: it would copy every property of the key, private key included");
    const key = signing.inputs.spec.dataFrom[0].extract.key;
    t.deepEqual(pk.inputs.spec.data, [{ secretKey: "cosign.pub", remoteRef: { key, property: "cosign.pub" } }]);
    t.deepEqual(pk.inputs.spec.secretStoreRef, signing.inputs.spec.secretStoreRef);
    t.like(pk.inputs.spec.target, { name: "public-key", creationPolicy: "Orphan" });
    t.false("deletionPolicy" in pk.inputs.spec.target);
    t.is(pk.inputs.spec.target.template.metadata.annotations["argocd.argoproj.io/sync-options"], "Prune=false");
    t.is(pk.inputs.spec.refreshInterval, "5m");
    t.deepEqual(
        pk.dependencies.filter((d) => signing.dependencies.includes(d)).sort(),
        [...signing.dependencies].sort(),
        "waits for what the signing secret waits for",
    );
    t.is(gen.chainsPublicKey, undefined, "generated mode: none");
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
    t.deepEqual(outputKeys(registeredOutputs.get(extUrn)), [
        "chainsPublicKey",
        "chainsSigningSecret",
        "operator",
        "pacSecret",
        "store",
        "storeName",
        "stores",
    ]);
    t.deepEqual(outputKeys(registeredOutputs.get(genUrn)), ["pacSecret", "storeName", "stores", "webhookSecret"]);
});

// ----- pure builders

test("vaultKey: prefixes relative keys once, keeps absolute ones, tolerates slashes", (t) => {
    t.is(vaultKey("production/pipeline-service", "github-app"), "production/pipeline-service/github-app");
    t.is(vaultKey("production/pipeline-service/", "/github-app"), "production/pipeline-service/github-app");
    t.is(vaultKey("production/pipeline-service", "production/pipeline-service/x"), "production/pipeline-service/x");
    const seg = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    const path = fc.array(seg, { minLength: 1, maxLength: 4 }).map((xs) => xs.join("/"));
    holds(
        t,
        fc.property(path, path, fc.nat(3), fc.nat(3), (prefix, key, trail, lead) => {
            const p = prefix + "/".repeat(trail);
            const once = vaultKey(p, "/".repeat(lead) + key);
            assert.ok(once.startsWith(`${prefix}/`));
            assert.equal(vaultKey(p, once), once, "idempotent");
            assert.ok(!once.includes("//"));
        }),
    );
});

test("buildClusterSecretStore: conditions are exactly the configured namespaces plus the consumers, never fewer", (t) => {
    const ns = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);
    holds(
        t,
        fc.property(fc.array(ns, { maxLength: 10 }), fc.array(ns, { maxLength: 10 }), (configured, namespaces) => {
            const store = { ...prod.secretStore, namespaces: configured };
            const spec = buildClusterSecretStore(store, namespaces).spec as { conditions: { namespaces: string[] }[] };
            const got = spec.conditions[0]!.namespaces;
            assert.deepEqual(got, [...new Set([...configured, ...namespaces])].sort());
            for (const n of [...configured, ...namespaces]) assert.ok(got.includes(n), n);
        }),
    );
    t.is(buildClusterSecretStore(prod.secretStore, [], "appsre-vault").metadata.name, "appsre-vault");
});

test("vaultKey with a kubernetes-store prefix (ending in '.'): Secret names, idempotent", (t) => {
    t.is(vaultKey("local.pipeline-service.", "github-app"), "local.pipeline-service.github-app");
    t.is(vaultKey("local.pipeline-service.", "compute-1/kcp-syncer"), "local.pipeline-service.compute-1.kcp-syncer");
    t.is(vaultKey("local.pipeline-service.", "/tekton-results/db"), "local.pipeline-service.tekton-results.db");
    t.is(vaultKey("local.pipeline-service.", "local.pipeline-service.x"), "local.pipeline-service.x");
    const seg = fc.stringMatching(/^[a-z0-9][-a-z0-9]{0,10}$/);
    holds(
        t,
        fc.property(fc.array(seg, { minLength: 1, maxLength: 4 }), (parts) => {
            const k = vaultKey("local.", parts.join("/"));
            assert.ok(!k.includes("/"));
            assert.equal(vaultKey("local.", k), k);
        }),
    );
});

test("buildExternalSecret: ClusterSecretStore reference, extract of one key, skip-dry-run annotation", (t) => {
    const es = buildExternalSecret({
        name: "a",
        namespace: "b",
        storeName: "s",
        key: "p/k",
        refreshInterval: "1m",
        target: { name: "a" },
        readiness: { waitFor: false, timeoutSeconds: 60 },
    });
    t.is(es.apiVersion, "external-secrets.io/v1");
    t.is(es.metadata.annotations?.["argocd.argoproj.io/sync-options"], "SkipDryRunOnMissingResource=true");
    t.is(es.metadata.annotations?.["pulumi.com/skipAwait"], "true");
    t.deepEqual(es.spec, {
        refreshInterval: "1m",
        secretStoreRef: { kind: "ClusterSecretStore", name: "s" },
        dataFrom: [{ extract: { key: "p/k" } }],
        target: { name: "a" },
    });
});
