import test from "ava";
import { find, installMocks, ofType, promiseOf, registeredOutputs, settle } from "../helpers/mocks.js";
import { READY, assertK8sChildren, childrenOf, clusterSettings, defaultSettings, isSecretValue, outputKeys, unsecret } from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const pulumi = await import("@pulumi/pulumi");
const g = await import("../../../components/gateway.js");
const { Gateway, GATEWAY_RESOURCES, PAC_CONTROLLER_SERVICE, checkMembers, haproxyConfig, pacRouteUrl } = g;

const HAPROXY = `docker.io/haproxytech/haproxy-debian@sha256:${"c".repeat(64)}`;
const prod = clusterSettings("prod", 0);
const single = defaultSettings();
single.gatewayImages.haproxy = HAPROXY;
const members = [
    { name: "stone-prd-rh01", appsDomain: "apps.rh01.example.com" },
    { name: "stone-prd-m01", appsDomain: "apps.m01.example.com" },
    { name: "stone-prod-p01", appsDomain: "apps.p01.example.com" },
];

const provider = new k8s.Provider("gw-k8s", { clusterIdentifier: "host" });
const store = new k8s.apiextensions.CustomResource("gw-store", { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "s" } }, { provider });
const fan = new Gateway("fan", { provider, mode: "fanout", hostname: "sprayproxy.example.com", members, settings: prod, readiness: READY, dependsOn: [store] });
const one = new Gateway("one", { provider, mode: "single", hostname: "webhooks.example.com", members: [members[0]!], settings: single, readiness: READY });
const gen = new Gateway("gen", { provider, mode: "fanout", hostname: "dev.example.com", members: [members[0]!], settings: prod, webhookSecret: pulumi.secret("hunter2"), readiness: READY });
const [fanUrn, oneUrn, genUrn, providerUrnValue, storeUrn] = await Promise.all([fan.urn, one.urn, gen.urn, provider.urn, store.urn].map((o) => promiseOf(o)));
await settle();

const dep = (gw: string) => find("kubernetes:apps/v1:Deployment", `${gw}-deployment`);

test("type token; children under the component on the host provider", (t) => {
    t.false(find("pipeline-service:gateway:Gateway", "fan").custom);
    t.deepEqual(assertK8sChildren(t, fanUrn, providerUrnValue).map((c) => c.name).sort(),
        ["fan-deployment", "fan-namespace", "fan-route", "fan-service", "fan-webhook-secret"]);
    t.deepEqual(assertK8sChildren(t, oneUrn, providerUrnValue).map((c) => c.name).sort(),
        ["one-deployment", "one-haproxy-config", "one-namespace", "one-route", "one-service"]);
    assertK8sChildren(t, genUrn, providerUrnValue);
    for (const u of [fanUrn, oneUrn, genUrn]) t.true(childrenOf(u).every((c) => c.parent === u));
});

test("fanout: SprayProxy backends are every member's PaC controller route", async (t) => {
    const c = dep("fan").inputs.spec.template.spec.containers[0];
    t.is(c.name, "sprayproxy");
    t.is(c.image, prod.gatewayImages.sprayproxy);
    const backend = c.env.find((e: { name: string }) => e.name === "SPRAYPROXY_SERVER_BACKEND").value as string;
    t.deepEqual(backend.split(" "), members.map((m) => `https://pipelines-as-code-controller-openshift-pipelines.${m.appsDomain}`));
    t.deepEqual(c.env.find((e: { name: string }) => e.name === "GH_APP_WEBHOOK_SECRET").valueFrom,
        { secretKeyRef: { name: "pipelines-as-code-secret", key: "webhook.secret" } });
    t.deepEqual(await promiseOf(fan.backends), members.map((m) => pacRouteUrl(m.appsDomain)));
    t.is(dep("fan").inputs.spec.replicas, 2);
    t.deepEqual(c.resources, GATEWAY_RESOURCES.fanout);
});

test("fanout: the webhook secret comes from the PaC Vault key, after the namespace and the store", (t) => {
    const es = find("kubernetes:external-secrets.io/v1:ExternalSecret", "fan-webhook-secret");
    t.like(es.inputs.metadata, { name: "pipelines-as-code-secret", namespace: "sprayproxy" });
    t.deepEqual(es.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/github-app" } }]);
    t.is(es.inputs.spec.refreshInterval, prod.secrets.pacRefreshInterval);
    t.true(es.dependencies.includes(storeUrn));
    t.true(es.dependencies.includes(find("kubernetes:core/v1:Namespace", "fan-namespace").urn));
});

test("fanout with a generated webhook secret: a secret Secret, no ExternalSecret", (t) => {
    t.is(ofType("kubernetes:external-secrets.io/v1:ExternalSecret", "gen-").length, 0);
    const s = find("kubernetes:core/v1:Secret", "gen-webhook-secret");
    t.like(s.inputs.metadata, { name: "pipelines-as-code-secret", namespace: "sprayproxy" });
    t.true(isSecretValue(s.inputs.stringData));
    t.deepEqual(unsecret(s.inputs.stringData), { "webhook.secret": "hunter2" });
});

test("single: HAProxy with its config, routing X-Github-Event to the PaC service", (t) => {
    const cm = find("kubernetes:core/v1:ConfigMap", "one-haproxy-config");
    t.like(cm.inputs.metadata, { name: "haproxy-config", namespace: "gateway" });
    t.is(cm.inputs.data["haproxy.cfg"], haproxyConfig());
    const spec = dep("one").inputs.spec.template.spec;
    const c = spec.containers[0];
    t.is(c.image, HAPROXY);
    t.deepEqual(c.resources, GATEWAY_RESOURCES.single);
    t.deepEqual(spec.volumes, [{ name: "tmp", emptyDir: {} }, { name: "haproxy-config", configMap: { name: "haproxy-config" } }]);
    t.is(dep("one").inputs.spec.replicas, 1);
});

test("namespace, Service and an edge Route on the hostname", async (t) => {
    const ns = find("kubernetes:core/v1:Namespace", "fan-namespace");
    t.is(ns.inputs.metadata.name, "sprayproxy");
    t.is(ns.inputs.metadata.labels["argocd.argoproj.io/managed-by"], "openshift-gitops");
    t.is(find("kubernetes:core/v1:Namespace", "one-namespace").inputs.metadata.name, "gateway");
    const svc = find("kubernetes:core/v1:Service", "fan-service");
    t.deepEqual(svc.inputs.spec, { selector: { "app.kubernetes.io/name": "sprayproxy" }, ports: [{ name: "http", port: 80, targetPort: "server" }] });
    t.is(find("kubernetes:core/v1:Service", "one-service").inputs.spec.ports[0].targetPort, "http-port");
    const route = find("kubernetes:route.openshift.io/v1:Route", "fan-route");
    t.like(route.inputs.spec, { host: "sprayproxy.example.com", to: { kind: "Service", name: "sprayproxy" }, port: { targetPort: "http" }, tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" } });
    t.true(route.dependencies.includes(svc.urn));
    t.is(await promiseOf(fan.url), "https://sprayproxy.example.com");
    t.is(await promiseOf(one.url), "https://webhooks.example.com");
    t.deepEqual(await promiseOf(one.backends), [PAC_CONTROLLER_SERVICE]);
});

test("registerOutputs", (t) => {
    for (const u of [fanUrn, oneUrn]) t.deepEqual(outputKeys(registeredOutputs.get(u)), ["backends", "deployment", "namespace", "route", "service", "url"]);
});

// ----- pure helpers

test("haproxyConfig: PaC acl on X-Github-Event, one backend server", (t) => {
    const cfg = haproxyConfig();
    t.true(cfg.includes("acl PAC hdr(X-Github-Event) -m found"));
    t.true(cfg.includes("use_backend be_el_pac if PAC"));
    t.true(cfg.includes(`server el-pac ${PAC_CONTROLLER_SERVICE}`));
    t.true(PAC_CONTROLLER_SERVICE.startsWith("pipelines-as-code-controller.openshift-pipelines.svc"));
    t.true(PAC_CONTROLLER_SERVICE.endsWith(":8080"));
    t.true(haproxyConfig("x:1").includes("server el-pac x:1\n"));
    t.true(cfg.endsWith("\n"));
});

test("checkMembers: single needs exactly one member; any mode needs one", (t) => {
    t.notThrows(() => checkMembers("single", [members[0]!]));
    t.throws(() => checkMembers("single", members), { message: /pipeline-service:gateway\.mode/ });
    t.throws(() => checkMembers("fanout", []), { message: /at least one member/ });
    t.throws(() => new Gateway("bad", { provider, mode: "single", hostname: "x.example.com", members, settings: single, readiness: READY }),
        { message: /exactly one member cluster, got 3/ });
});

test("pacRouteUrl", (t) => {
    t.is(pacRouteUrl("apps.a.example.com"), "https://pipelines-as-code-controller-openshift-pipelines.apps.a.example.com");
});
