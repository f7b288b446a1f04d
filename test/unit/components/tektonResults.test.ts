import test from "ava";
import { collected, find, installMocks, promiseOf, registeredOutputs, settle } from "../helpers/mocks.js";
import { READY, assertK8sChildren, childrenOf, clusterSettings, defaultSettings, isSecretValue, outputKeys, unsecret } from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const results = await import("../../../components/tektonResults.js");
const { TektonResults, buildResultSpec, buildResultsServiceMonitors, RESULTS_DB_SECRET, RESULTS_S3_SECRET } = results;

const ES = "kubernetes:external-secrets.io/v1:ExternalSecret";
const prod = clusterSettings("prod", 0);
const dev = defaultSettings();
dev.secrets.mode = "generated";
dev.kcp.enabled = false;

const provider = new k8s.Provider("results-k8s", { clusterIdentifier: "results" });
const ns = new k8s.core.v1.Namespace("results-ns", { metadata: { name: "openshift-pipelines" } }, { provider });
const ext = new TektonResults("ext-results", { provider, clusterName: "stone-prd-rh01", settings: prod, readiness: READY, dependsOn: [ns] });
const gen = new TektonResults("gen-results", { provider, clusterName: "dev-1", settings: dev, readiness: READY });
const [extUrn, genUrn, providerUrnValue, nsUrn] = await Promise.all([ext.urn, gen.urn, provider.urn, ns.urn].map((o) => promiseOf(o)));
await settle();

test("type token; every Kubernetes child under the component on the explicit provider", (t) => {
    t.false(find("pipeline-service:tekton:TektonResults", "ext-results").custom);
    const kube = assertK8sChildren(t, extUrn, providerUrnValue);
    t.deepEqual(kube.map((c) => c.name).sort(), [
        "ext-results-db-secret", "ext-results-metrics-reader", "ext-results-metrics-reader-binding", "ext-results-metrics-reader-role",
        "ext-results-metrics-reader-token", "ext-results-s3-secret", "ext-results-tekton-results-api", "ext-results-tekton-results-watcher",
    ]);
    t.true(childrenOf(extUrn).every((c) => c.parent === extUrn));
    assertK8sChildren(t, genUrn, providerUrnValue);
});

test("external mode: DB credentials from Vault under the key prefix, owned by ESO", (t) => {
    const db = find(ES, "ext-results-db-secret");
    t.is(db.inputs.metadata.name, RESULTS_DB_SECRET);
    t.is(db.inputs.metadata.namespace, "openshift-pipelines");
    t.deepEqual(db.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/tekton-results/db" } }]);
    t.deepEqual(db.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "appsre-stonesoup-vault" });
    t.is(db.inputs.spec.refreshInterval, "1h");
    t.like(db.inputs.spec.target, { name: RESULTS_DB_SECRET, creationPolicy: "Owner", deletionPolicy: "Delete" });
    t.is(db.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
    t.true(db.dependencies.includes(nsUrn), "the secret waits for the namespace");
});

test("external mode: S3 secret maps Vault keys to the operator's S3_* keys", (t) => {
    const s3 = find(ES, "ext-results-s3-secret");
    t.is(s3.inputs.metadata.name, RESULTS_S3_SECRET);
    t.deepEqual(s3.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/tekton-results/s3" } }]);
    t.deepEqual(Object.keys(s3.inputs.spec.target.template.data).sort(),
        ["S3_ACCESS_KEY_ID", "S3_BUCKET_NAME", "S3_ENDPOINT", "S3_HOSTNAME_IMMUTABLE", "S3_MULTI_PART_SIZE", "S3_REGION", "S3_SECRET_ACCESS_KEY"]);
});

test("metrics-reader ServiceAccount, token Secret, ClusterRole for /metrics and binding", (t) => {
    const sa = find("kubernetes:core/v1:ServiceAccount", "ext-results-metrics-reader");
    t.like(sa.inputs.metadata, { name: "metrics-reader", namespace: "openshift-pipelines" });
    const tok = find("kubernetes:core/v1:Secret", "ext-results-metrics-reader-token");
    t.is(tok.inputs.type, "kubernetes.io/service-account-token");
    t.is(tok.inputs.metadata.annotations["kubernetes.io/service-account.name"], "metrics-reader");
    t.true(tok.dependencies.includes(sa.urn));
    const role = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "ext-results-metrics-reader-role");
    t.deepEqual(role.inputs.rules, [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
    const crb = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "ext-results-metrics-reader-binding");
    t.is(crb.inputs.roleRef.name, role.inputs.metadata.name);
    t.deepEqual(crb.inputs.subjects, [{ kind: "ServiceAccount", name: "metrics-reader", namespace: "openshift-pipelines" }]);
});

test("ServiceMonitors scrape over https with the bearer token (kube-rbac-proxy)", (t) => {
    const tok = find("kubernetes:core/v1:Secret", "ext-results-metrics-reader-token");
    for (const [name, port] of [["tekton-results-api", "metrics"], ["tekton-results-watcher", "watchermetrics"]] as const) {
        const sm = find("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", `ext-results-${name}`);
        t.is(sm.inputs.metadata.namespace, "openshift-pipelines");
        const ep = sm.inputs.spec.endpoints[0];
        t.like(ep, { port, scheme: "https", path: "/metrics", bearerTokenSecret: { name: "metrics-reader", key: "token" } });
        t.deepEqual(sm.inputs.spec.selector, { matchLabels: { "app.kubernetes.io/name": name } });
        t.true(sm.dependencies.includes(tok.urn));
    }
    t.is(buildResultsServiceMonitors().length, 2);
});

test("generated mode (dev): a random DB password in a Secret, no ExternalSecrets", async (t) => {
    t.deepEqual(collected.filter((c) => c.type === ES && c.name.startsWith("gen-")), []);
    const pw = find("random:index/randomPassword:RandomPassword", "gen-results-db-password");
    t.like(pw.inputs, { length: 32, special: false });
    t.is(pw.parent, genUrn);
    const secret = find("kubernetes:core/v1:Secret", "gen-results-db-secret");
    t.like(secret.inputs.metadata, { name: RESULTS_DB_SECRET, namespace: "openshift-pipelines" });
    t.true(isSecretValue(secret.inputs.stringData), "stringData holding the password is a secret");
    t.like(unsecret<Record<string, string>>(secret.inputs.stringData), { "db.user": "tekton", "db.password": "generated-gen-results-db-password" });
    t.true(await promiseOf(gen.databasePassword!.apply(() => true)));
    t.is(ext.databasePassword, undefined);
});

test("tektonConfigResult is the operator's spec.result", (t) => {
    t.deepEqual(ext.tektonConfigResult, buildResultSpec(prod.results));
    const r = ext.tektonConfigResult as Record<string, any>;
    t.like(r, { db_sslmode: "verify-full", auth_disable: false, logs_api: true, logs_type: "S3", db_secret_name: RESULTS_DB_SECRET, secret_name: RESULTS_S3_SECRET });
    t.deepEqual(r.watcher, { completed_run_grace_period: "10m" });
    const api = r.options.deployments["tekton-results-api"].spec.template.spec;
    t.deepEqual(api.containers[0].volumeMounts, [{ name: "db-tls-ca", mountPath: "/etc/tls/db", readOnly: true }]);
    t.true(r.db_sslrootcert.startsWith("/etc/tls/db/"));
});

test("registerOutputs", (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(extUrn)), ["databaseSecret", "metricsReaderToken", "s3Secret", "serviceMonitors", "tektonConfigResult"]);
    t.deepEqual(outputKeys(registeredOutputs.get(genUrn)), ["databasePassword", "databaseSecret", "metricsReaderToken", "serviceMonitors", "tektonConfigResult"]);
});
