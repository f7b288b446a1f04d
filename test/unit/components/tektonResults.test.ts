import test from "ava";
import fc from "fast-check";
import { collected, find, installMocks, promiseOf, registeredOutputs, settle } from "../../helpers/mocks.js";
import {
    READY,
    assertK8sChildren,
    childrenOf,
    clusterSettings,
    copy,
    defaultSettings,
    isSecretValue,
    outputKeys,
    unsecret,
} from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const results = await import("../../../components/tektonResults.js");
const { CHECKER_VERSIONS, newerFields } = await import("../../../lib/operatorVersions.js");
const { RDS_US_EAST_1_CA_BUNDLE } = await import("../../../lib/rdsCaBundle.js");
const {
    TektonResults,
    buildResultSpec,
    buildResultsRoute,
    buildResultsServiceMonitors,
    resultsStore,
    RESULTS_DB_CA_CONFIGMAP,
    RESULTS_DB_SECRET,
    RESULTS_S3_SECRET,
    RESULTS_RETENTION_CONFIGMAP,
} = results;

const ES = "kubernetes:external-secrets.io/v1:ExternalSecret";
const SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
// prod cluster 0 (stone-prd-rh01): appsre-vault with full keys, DB host from the secret.
const prod = clusterSettings("prod", 0);
// dev: generated secrets, an explicit in-cluster host.
const dev = defaultSettings();
dev.secrets.mode = "generated";
dev.kcp.enabled = false;
dev.results.database.host = "tekton-results-postgres.tekton-results.svc.cluster.local";
// the defaults: the stack's own store, keys under the prefix.
const own = defaultSettings();
const off = defaultSettings();
off.results.enabled = false;

const provider = new k8s.Provider("results-k8s", { clusterIdentifier: "results" });
const ns = new k8s.core.v1.Namespace("results-ns", { metadata: { name: "openshift-pipelines" } }, { provider });
const ext = new TektonResults("ext-results", {
    provider,
    clusterName: "stone-prd-rh01",
    settings: prod,
    readiness: READY,
    dependsOn: [ns],
});
const gen = new TektonResults("gen-results", { provider, clusterName: "dev-1", settings: dev, readiness: READY });
const mine = new TektonResults("own-results", { provider, clusterName: "c1", settings: own, readiness: READY });
const none = new TektonResults("off-results", { provider, clusterName: "c2", settings: off, readiness: READY });
const [extUrn, genUrn, offUrn, providerUrnValue, nsUrn] = await Promise.all(
    [ext.urn, gen.urn, none.urn, provider.urn, ns.urn].map((o) => promiseOf(o)),
);
await settle();

test("type token; children: CA ConfigMap, DB and S3 ExternalSecrets, two ServiceMonitors, the Route", (t) => {
    t.false(find("pipeline-service:tekton:TektonResults", "ext-results").custom);
    const kube = assertK8sChildren(t, extUrn, providerUrnValue);
    t.deepEqual(kube.map((c) => c.name).sort(), [
        "ext-results-db-ca",
        "ext-results-db-secret",
        "ext-results-route",
        "ext-results-s3-secret",
        "ext-results-tekton-results-api",
        "ext-results-tekton-results-watcher",
    ]);
    t.true(childrenOf(extUrn).every((c) => c.parent === extUrn));
    assertK8sChildren(t, genUrn, providerUrnValue);
    t.deepEqual(childrenOf(offUrn), [], "Results off: nothing is created");
    t.deepEqual(none.tektonConfigResult, { disabled: true });
});

test("the DB CA bundle: ConfigMap rds-root-crt from results.database.caBundle, mounted where db_sslrootcert points", (t) => {
    const cm = find("kubernetes:core/v1:ConfigMap", "ext-results-db-ca");
    t.like(cm.inputs.metadata, { name: RESULTS_DB_CA_CONFIGMAP, namespace: "openshift-pipelines" });
    t.deepEqual(Object.keys(cm.inputs.data), ["tekton-results-db-ca.pem"]);
    t.is(cm.inputs.data["tekton-results-db-ca.pem"], prod.results.database.caBundle);
    t.is(prod.results.database.caBundle, RDS_US_EAST_1_CA_BUNDLE, "prod uses the default RDS bundle");
    t.true(cm.dependencies.includes(nsUrn));
    const r = ext.tektonConfigResult as Record<string, any>;
    const pod = r.options.deployments["tekton-results-api"].spec.template.spec;
    t.deepEqual(pod.volumes, [{ name: "db-tls-ca", configMap: { name: RESULTS_DB_CA_CONFIGMAP } }]);
    const mount = pod.containers[0].volumeMounts[0];
    t.is(`${mount.mountPath}/${Object.keys(cm.inputs.data)[0]}`, r.db_sslrootcert);
});

test("prod: DB and S3 credentials from the stack's own store (it admits openshift-pipelines), per cluster", (t) => {
    t.deepEqual(resultsStore(prod), { name: "appsre-stonesoup-vault", absoluteKeys: false });
    const db = find(ES, "ext-results-db-secret");
    t.is(db.inputs.metadata.name, RESULTS_DB_SECRET);
    t.is(db.inputs.metadata.namespace, "openshift-pipelines");
    t.deepEqual(db.inputs.spec.dataFrom, [
        { extract: { key: "production/pipeline-service/stone-prd-rh01/tekton-results-db" } },
    ]);
    t.deepEqual(db.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "appsre-stonesoup-vault" });
    t.is(db.inputs.spec.refreshInterval, "1h");
    t.like(db.inputs.spec.target, { name: RESULTS_DB_SECRET, creationPolicy: "Owner", deletionPolicy: "Delete" });
    t.is(db.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
    t.true(db.dependencies.includes(nsUrn), "the secret waits for the namespace");
    const s3 = find(ES, "ext-results-s3-secret");
    t.deepEqual(s3.inputs.spec.dataFrom, [
        { extract: { key: "production/pipeline-service/stone-prd-rh01/tekton-results-s3" } },
    ]);
    t.deepEqual(Object.keys(s3.inputs.spec.target.template.data).sort(), [
        "S3_ACCESS_KEY_ID",
        "S3_BUCKET_NAME",
        "S3_ENDPOINT",
        "S3_HOSTNAME_IMMUTABLE",
        "S3_MULTI_PART_SIZE",
        "S3_REGION",
        "S3_SECRET_ACCESS_KEY",
    ]);
    // The per-cluster override of stone-prod-p01 has its own database.
    t.is(clusterSettings("prod", 2).results.database.vaultKey, "stone-prod-p01/tekton-results-db");
    // Another store: its keys are used as they are.
    const other = copy(prod);
    other.results.secretStore = "results-store";
    t.deepEqual(resultsStore(other), { name: "results-store", absoluteKeys: true });
});

test("no results.secretStore: the stack's own store, keys under the prefix", (t) => {
    t.deepEqual(resultsStore(own), { name: own.secretStore.name, absoluteKeys: false });
    const db = find(ES, "own-results-db-secret");
    t.deepEqual(db.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: own.secretStore.name });
    t.deepEqual(db.inputs.spec.dataFrom, [{ extract: { key: `${own.secretStore.keyPrefix}/tekton-results/db` } }]);
});

test("DB host: from the secret's db.host unless results.database.host is set", (t) => {
    const r = ext.tektonConfigResult as Record<string, any>;
    t.false("db_host" in r);
    const api = r.options.deployments["tekton-results-api"].spec.template.spec.containers[0];
    t.deepEqual(api.env, [
        { name: "DB_HOST", valueFrom: { secretKeyRef: { name: RESULTS_DB_SECRET, key: "db.host" } } },
    ]);
    const d = gen.tektonConfigResult as Record<string, any>;
    t.is(d.db_host, dev.results.database.host);
    t.is(d.options.deployments["tekton-results-api"].spec.template.spec.containers[0].env, undefined);
});

test("ServiceMonitors on the ports the operator's Results Services expose: api prometheus, watcher metrics, http", (t) => {
    for (const [name, port] of [
        ["tekton-results-api", "prometheus"],
        ["tekton-results-watcher", "metrics"],
    ] as const) {
        const sm = find(SM, `ext-results-${name}`);
        t.is(sm.inputs.metadata.namespace, "openshift-pipelines");
        t.deepEqual(sm.inputs.spec.endpoints, [{ port, scheme: "http", path: "/metrics", interval: "15s" }]);
        t.deepEqual(sm.inputs.spec.selector, {
            matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "tekton-results" },
        });
        t.deepEqual(sm.inputs.spec.namespaceSelector, { matchNames: ["openshift-pipelines"] });
        t.false("bearerTokenSecret" in sm.inputs.spec.endpoints[0]);
    }
    t.is(buildResultsServiceMonitors().length, 2);
});

test("Route tekton-results: reencrypt to the API's server port, OCPBUGS-16375 timeouts; the operator's Route off", (t) => {
    const route = find("kubernetes:route.openshift.io/v1:Route", "ext-results-route");
    t.like(route.inputs.metadata, { name: "tekton-results", namespace: "openshift-pipelines" });
    t.like(route.inputs.metadata.annotations, {
        "haproxy.router.openshift.io/timeout": "86410s",
        "router.openshift.io/haproxy.health.check.interval": "86400s",
        "haproxy.router.openshift.io/hsts_header": "max-age=63072000",
    });
    t.deepEqual(route.inputs.spec.tls, { termination: "reencrypt", insecureEdgeTerminationPolicy: "Redirect" });
    t.deepEqual(route.inputs.spec.to, { kind: "Service", name: "tekton-results-api-service", weight: 100 });
    t.deepEqual(route.inputs.spec.port, { targetPort: "server" });
    t.is((ext.tektonConfigResult as Record<string, unknown>).route_enabled, false);
    const s = copy(prod);
    s.results.route.host = "results.example.com";
    const withHost = buildResultsRoute(s.results);
    t.is((withHost.spec as Record<string, unknown>).host, "results.example.com");
    t.false("openshift.io/host.generated" in withHost.metadata.annotations!);
});

test("watcher check_owner false and the grace period; retention through the agent's ConfigMap", (t) => {
    const r = ext.tektonConfigResult as Record<string, any>;
    t.deepEqual(r.watcher, { completed_run_grace_period: "5m", check_owner: false });
    t.deepEqual(r.options.configMaps[RESULTS_RETENTION_CONFIGMAP], {
        data: { maxRetention: "30", runAt: "5 5 * * 0" },
    });
    t.like(r, {
        disabled: false,
        is_external_db: true,
        db_sslmode: "verify-full",
        auth_disable: false,
        auth_impersonate: true,
        logs_api: true,
        logs_type: "S3",
        db_secret_name: RESULTS_DB_SECRET,
        db_secret_user_key: "db.user",
        db_secret_password_key: "db.password",
        secret_name: RESULTS_S3_SECRET,
    });
});

test("generated mode (dev): a random DB password in a Secret, no ExternalSecrets", async (t) => {
    t.deepEqual(
        collected.filter((c) => c.type === ES && c.name.startsWith("gen-")),
        [],
    );
    const pw = find("random:index/randomPassword:RandomPassword", "gen-results-db-password");
    t.like(pw.inputs, { length: 32, special: false });
    t.is(pw.parent, genUrn);
    const secret = find("kubernetes:core/v1:Secret", "gen-results-db-secret");
    t.like(secret.inputs.metadata, { name: RESULTS_DB_SECRET, namespace: "openshift-pipelines" });
    t.true(isSecretValue(secret.inputs.stringData), "stringData holding the password is a secret");
    t.like(unsecret<Record<string, string>>(secret.inputs.stringData), {
        "db.user": "tekton",
        "db.password": "generated-gen-results-db-password",
        "db.host": dev.results.database.host,
    });
    t.true(await promiseOf(gen.databasePassword!.apply(() => true)));
    t.is(ext.databasePassword, undefined);
});

test("buildResultSpec follows the targeted operator: no result block before 0.75, no watcher before 0.81, no route_enabled before 0.79", (t) => {
    const at = (v: string) => {
        const s = copy(prod);
        s.osp.operatorVersion = v;
        return buildResultSpec(s);
    };
    t.is(at("0.74.0"), undefined);
    t.false("watcher" in at("0.80.0")!);
    t.true("route_enabled" in at("0.80.0")!);
    t.false("route_enabled" in at("0.77.0")!);
    t.true("watcher" in at("0.81.0")!);
});

test("property: for any checker version and Results on or off, spec.result has no field newer than the version", (t) => {
    fc.assert(
        fc.property(fc.constantFrom(...CHECKER_VERSIONS), fc.boolean(), fc.boolean(), (v, enabled, host) => {
            const s = copy(prod);
            s.osp.operatorVersion = v;
            s.results.enabled = enabled;
            if (host) s.results.database.host = "db.example.com";
            const result = buildResultSpec(s);
            return newerFields(result === undefined ? {} : { result }, v).length === 0;
        }),
    );
    t.pass();
});

test("registerOutputs", (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(extUrn)), [
        "caBundle",
        "databaseSecret",
        "route",
        "s3Secret",
        "serviceMonitors",
        "tektonConfigResult",
    ]);
    t.deepEqual(outputKeys(registeredOutputs.get(genUrn)), [
        "caBundle",
        "databasePassword",
        "databaseSecret",
        "route",
        "serviceMonitors",
        "tektonConfigResult",
    ]);
    t.deepEqual(outputKeys(registeredOutputs.get(offUrn)), ["serviceMonitors", "tektonConfigResult"]);
});
