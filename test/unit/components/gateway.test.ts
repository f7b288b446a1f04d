/**
 * The gateway under mocks. SprayProxy is compared field by field with what upstream deploys: konflux-ci/sprayproxy
 * `config/*.yaml`@f1afe076 (namespace `sprayproxy` from config/kustomization.yaml) and infra-deployments
 * components/sprayproxy@22396f90 (production/bump-replicas.yaml, change-backends.yaml, change-webhook-secret.yaml,
 * pipelines-as-code-secret.yaml, base/rbac/pipeline-service-sre.yaml). The expected values below are written out
 * from those files, not read from them.
 */
import test from "ava";
import { find, installMocks, ofType, promiseOf, providerUrn, registeredOutputs, settle } from "../../helpers/mocks.js";
import {
    READY,
    assertK8sChildren,
    childrenOf,
    defaultSettings,
    isSecretValue,
    outputKeys,
    unsecret,
} from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const pulumi = await import("@pulumi/pulumi");
const g = await import("../../../components/gateway.js");
const {
    Gateway,
    GATEWAY_RESOURCES,
    PAC_CONTROLLER_SERVICE,
    RBAC_PROXY_RESOURCES,
    buildSprayProxy,
    checkMembers,
    haproxyConfig,
} = g;
const { pacRouteUrl } = await import("../../../lib/naming.js");

const HAPROXY = `docker.io/haproxytech/haproxy-debian@sha256:${"c".repeat(64)}`;
const prod = defaultSettings();
const single = defaultSettings();
single.gatewayImages.haproxy = HAPROXY;
const managed = defaultSettings();
managed.secretStore.manage = true;
const members = [
    { name: "stone-prd-rh01", appsDomain: "apps.rh01.example.com" },
    { name: "stone-prd-m01", appsDomain: "apps.m01.example.com" },
    { name: "stone-prod-p01", appsDomain: "apps.p01.example.com" },
];

const provider = new k8s.Provider("gw-k8s", { clusterIdentifier: "host" });
const hostProvider = new k8s.Provider("crt-host-k8s", { clusterIdentifier: "crt-host" });
const store = new k8s.apiextensions.CustomResource(
    "gw-store",
    { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "s" } },
    { provider },
);
const fan = new Gateway("fan", {
    provider,
    mode: "fanout",
    hostname: "sprayproxy.example.com",
    members,
    settings: prod,
    readiness: READY,
    dependsOn: [store],
});
const one = new Gateway("one", {
    provider,
    mode: "single",
    hostname: "webhooks.example.com",
    members: [members[0]!],
    settings: single,
    readiness: READY,
});
const gen = new Gateway("gen", {
    provider,
    mode: "fanout",
    hostname: "dev.example.com",
    members: [members[0]!],
    settings: prod,
    webhookSecret: pulumi.secret("hunter2"),
    readiness: READY,
});
// A host cluster that is not a compute cluster: the gateway checks (reference) or creates (managed) its store there.
const ref = new Gateway("ref", {
    provider: hostProvider,
    mode: "fanout",
    hostname: "h.example.com",
    members,
    settings: prod,
    readiness: READY,
    separateHost: { hostName: "crt-host", checkStoresExist: true },
});
const own = new Gateway("own", {
    provider: hostProvider,
    mode: "fanout",
    hostname: "o.example.com",
    members,
    settings: managed,
    readiness: READY,
    separateHost: { hostName: "crt-host" },
});
const [fanUrn, oneUrn, genUrn, refUrn, providerUrnValue, hostProviderUrn, storeUrn] = await Promise.all(
    [fan.urn, one.urn, gen.urn, ref.urn, provider.urn, hostProvider.urn, store.urn].map((o) => promiseOf(o)),
);
await settle();

const dep = (gw: string) => find("kubernetes:apps/v1:Deployment", `${gw}-deployment`);
const container = (gw: string, name: string) =>
    dep(gw).inputs.spec.template.spec.containers.find((c: { name: string }) => c.name === name);
const SP = { "app.kubernetes.io/name": "sprayproxy" };

test("type token; children under the component on the host provider", (t) => {
    t.false(find("pipeline-service:gateway:Gateway", "fan").custom);
    t.deepEqual(
        assertK8sChildren(t, fanUrn, providerUrnValue)
            .map((c) => c.name)
            .sort(),
        [
            "fan-deployment",
            "fan-metrics-reader-token",
            "fan-metrics-service",
            "fan-namespace",
            "fan-pipeline-service-sre",
            "fan-route",
            "fan-sa-metrics-reader",
            "fan-sa-sprayproxy",
            "fan-service",
            "fan-service-monitor",
            "fan-sprayproxy-backend-register",
            "fan-sprayproxy-backend-register-binding",
            "fan-sprayproxy-kube-rbac-proxy",
            "fan-sprayproxy-kube-rbac-proxy-binding",
            "fan-sprayproxy-metrics-reader",
            "fan-sprayproxy-metrics-reader-binding",
            "fan-webhook-secret",
        ],
    );
    t.deepEqual(
        assertK8sChildren(t, oneUrn, providerUrnValue)
            .map((c) => c.name)
            .sort(),
        ["one-deployment", "one-haproxy-config", "one-namespace", "one-route", "one-service"],
    );
    assertK8sChildren(t, genUrn, providerUrnValue);
    assertK8sChildren(t, refUrn, hostProviderUrn);
    for (const u of [fanUrn, oneUrn, genUrn, refUrn]) t.true(childrenOf(u).every((c) => c.parent === u));
});

test("sprayproxy container: config/sprayproxy.yaml@f1afe076 with infra's backends and webhook secret", async (t) => {
    const c = container("fan", "sprayproxy");
    t.is(c.image, prod.gatewayImages.sprayproxy);
    t.deepEqual(c.args, ["server"]);
    t.deepEqual(c.ports, [{ containerPort: 8080, name: "server" }]);
    t.deepEqual(c.resources, { limits: { cpu: "500m", memory: "384Mi" }, requests: { cpu: "5m", memory: "64Mi" } });
    t.deepEqual(c.resources, GATEWAY_RESOURCES.fanout);
    t.true(c.securityContext.readOnlyRootFilesystem);
    // change-backends.yaml: the members' PaC controller routes, space separated.
    const backend = c.env.find((e: { name: string }) => e.name === "SPRAYPROXY_SERVER_BACKEND").value as string;
    t.deepEqual(
        backend.split(" "),
        members.map((m) => `https://pipelines-as-code-controller-openshift-pipelines.${m.appsDomain}`),
    );
    // change-webhook-secret.yaml
    t.deepEqual(c.env.find((e: { name: string }) => e.name === "GH_APP_WEBHOOK_SECRET").valueFrom, {
        secretKeyRef: { name: "pipelines-as-code-secret", key: "webhook.secret" },
    });
    t.deepEqual(
        await promiseOf(fan.backends),
        members.map((m) => pacRouteUrl(m.appsDomain)),
    );
});

test("kube-rbac-proxy fronts everything but /proxy and /healthz on 8443 with TLS from sprayproxy-tls", (t) => {
    const c = container("fan", "kube-rbac-proxy");
    t.is(c.image, prod.gatewayImages.kubeRbacProxy);
    t.regex(c.image, /^registry\.redhat\.io\/openshift4\/ose-kube-rbac-proxy@sha256:[0-9a-f]{64}$/);
    t.deepEqual(c.args, [
        "--secure-listen-address=0.0.0.0:8443",
        "--upstream=http://127.0.0.1:8080/",
        "--ignore-paths=/proxy,/healthz",
        "--logtostderr=true",
        "--v=4",
        "--tls-cert-file=/etc/tls/tls.crt",
        "--tls-private-key-file=/etc/tls/tls.key",
    ]);
    t.deepEqual(c.ports, [{ containerPort: 8443, protocol: "TCP", name: "proxy" }]);
    t.deepEqual(c.volumeMounts, [{ name: "tls", readOnly: true, mountPath: "/etc/tls" }]);
    t.deepEqual(c.resources, { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "5m", memory: "64Mi" } });
    const volumes = dep("fan").inputs.spec.template.spec.volumes;
    t.deepEqual(
        volumes.find((v: { name: string }) => v.name === "tls"),
        { name: "tls", secret: { secretName: "sprayproxy-tls", defaultMode: 420 } },
    );
});

test("kube-rbac-metrics serves the metrics on 9443 from 9090", (t) => {
    const c = container("fan", "kube-rbac-metrics");
    t.is(c.image, prod.gatewayImages.kubeRbacProxy);
    t.deepEqual(c.args, [
        "--secure-listen-address=0.0.0.0:9443",
        "--upstream=http://127.0.0.1:9090/",
        "--logtostderr=true",
        "--v=4",
    ]);
    t.deepEqual(c.ports, [{ containerPort: 9443, protocol: "TCP", name: "metrics" }]);
    t.deepEqual(c.resources, RBAC_PROXY_RESOURCES);
    t.deepEqual(
        dep("fan").inputs.spec.template.spec.containers.map((x: { name: string }) => x.name),
        ["sprayproxy", "kube-rbac-proxy", "kube-rbac-metrics"],
    );
});

test("Deployment: ServiceAccount sprayproxy, 2 replicas, app label and preferred anti-affinity (bump-replicas.yaml)", (t) => {
    const d = dep("fan").inputs;
    t.like(d.metadata, { name: "sprayproxy", namespace: "sprayproxy" });
    t.like(d.metadata.labels, SP);
    t.is(d.spec.replicas, 2);
    t.deepEqual(d.spec.selector, { matchLabels: SP });
    t.like(d.spec.template.metadata.labels, { ...SP, app: "sprayproxy" });
    const pod = d.spec.template.spec;
    t.is(pod.serviceAccountName, "sprayproxy");
    t.true(pod.securityContext.runAsNonRoot);
    t.deepEqual(pod.affinity, {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
                {
                    weight: 100,
                    podAffinityTerm: {
                        labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["sprayproxy"] }] },
                        topologyKey: "kubernetes.io/hostname",
                    },
                },
            ],
        },
    });
});

test("Services: sprayproxy 8443 -> proxy with the serving-cert annotation; metrics 9443 (OCPBUGS-5916 workaround)", (t) => {
    const svc = find("kubernetes:core/v1:Service", "fan-service").inputs;
    t.like(svc.metadata, { name: "sprayproxy", namespace: "sprayproxy" });
    t.like(svc.metadata.labels, SP);
    t.is(svc.metadata.annotations["service.beta.openshift.io/serving-cert-secret-name"], "sprayproxy-tls");
    t.deepEqual(svc.spec, {
        selector: SP,
        ports: [{ name: "proxy", protocol: "TCP", port: 8443, targetPort: "proxy" }],
    });
    const m = find("kubernetes:core/v1:Service", "fan-metrics-service").inputs;
    t.like(m.metadata, { name: "metrics", namespace: "sprayproxy" });
    t.like(m.metadata.labels, { "app.kubernetes.io/name": "metrics", "app.kubernetes.io/part-of": "sprayproxy" });
    t.deepEqual(m.spec, {
        selector: SP,
        ports: [{ name: "metrics", protocol: "TCP", port: 9443, targetPort: "metrics" }],
    });
});

test("Route: reencrypt to the proxy port, Redirect, HSTS (config/route.yaml@f1afe076)", async (t) => {
    const route = find("kubernetes:route.openshift.io/v1:Route", "fan-route");
    t.like(route.inputs.metadata, { name: "sprayproxy-route", namespace: "sprayproxy" });
    t.is(route.inputs.metadata.annotations["haproxy.router.openshift.io/hsts_header"], "max-age=63072000");
    t.deepEqual(route.inputs.spec, {
        host: "sprayproxy.example.com",
        tls: { termination: "reencrypt", insecureEdgeTerminationPolicy: "Redirect" },
        to: { kind: "Service", name: "sprayproxy" },
        port: { targetPort: "proxy" },
    });
    t.true(route.dependencies.includes(find("kubernetes:core/v1:Service", "fan-service").urn));
    t.is(await promiseOf(fan.url), "https://sprayproxy.example.com");
});

test("ServiceMonitor: https metrics with the metrics-reader token (config/service-monitor.yaml@f1afe076)", (t) => {
    const sm = find("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "fan-service-monitor").inputs;
    t.like(sm.metadata, { name: "sprayproxy", namespace: "sprayproxy" });
    t.deepEqual(sm.spec, {
        endpoints: [
            {
                path: "/metrics",
                port: "metrics",
                scheme: "https",
                bearerTokenSecret: { name: "metrics-reader", key: "token" },
                tlsConfig: { insecureSkipVerify: true },
            },
        ],
        selector: { matchLabels: { "app.kubernetes.io/name": "metrics", "app.kubernetes.io/part-of": "sprayproxy" } },
    });
    const token = find("kubernetes:core/v1:Secret", "fan-metrics-reader-token").inputs;
    t.like(token.metadata, { name: "metrics-reader", namespace: "sprayproxy" });
    t.is(token.metadata.annotations["kubernetes.io/service-account.name"], "metrics-reader");
    t.is(token.type, "kubernetes.io/service-account-token");
    t.is(token.data, undefined);
    t.is(token.stringData, undefined);
});

test("RBAC: kube-rbac-proxy reviews, /backends registration, /metrics reader (config/sprayproxy-rbac.yaml@f1afe076)", (t) => {
    const cr = (n: string) => find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", `fan-${n}`).inputs;
    const crb = (n: string) =>
        find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", `fan-${n}-binding`).inputs;
    t.deepEqual(cr("sprayproxy-kube-rbac-proxy").rules, [
        { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
        { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
    ]);
    t.deepEqual(cr("sprayproxy-backend-register").rules, [
        { nonResourceURLs: ["/backends"], verbs: ["get", "create", "delete"] },
    ]);
    t.deepEqual(cr("sprayproxy-metrics-reader").rules, [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
    for (const [binding, role, sa] of [
        ["sprayproxy-kube-rbac-proxy", "sprayproxy-kube-rbac-proxy", "sprayproxy"],
        ["sprayproxy-backend-register", "sprayproxy-backend-register", "sprayproxy"],
        ["sprayproxy-metrics-reader", "sprayproxy-metrics-reader", "metrics-reader"],
    ] as const) {
        const b = crb(binding);
        t.is(b.metadata.name, binding);
        t.deepEqual(b.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role });
        t.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: sa, namespace: "sprayproxy" }]);
    }
    t.deepEqual(
        ofType("kubernetes:core/v1:ServiceAccount", "fan-")
            .map((s) => `${s.inputs.metadata.namespace}/${s.inputs.metadata.name}`)
            .sort(),
        ["sprayproxy/metrics-reader", "sprayproxy/sprayproxy"],
    );
    const rb = find("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "fan-pipeline-service-sre").inputs;
    t.like(rb.metadata, { name: "pipeline-service-sre", namespace: "sprayproxy" });
    t.deepEqual(rb.roleRef, { kind: "ClusterRole", name: "view", apiGroup: "rbac.authorization.k8s.io" });
    t.deepEqual(rb.subjects, [
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "konflux-pipeline-service" },
    ]);
});

test("the webhook secret: the PaC key of the shared store, after the namespace and the store (pipelines-as-code-secret.yaml)", (t) => {
    const es = find("kubernetes:external-secrets.io/v1:ExternalSecret", "fan-webhook-secret");
    t.like(es.inputs.metadata, { name: "pipelines-as-code-secret", namespace: "sprayproxy" });
    t.deepEqual(es.inputs.spec.dataFrom, [{ extract: { key: "production/pipeline-service/github-app" } }]);
    t.is(es.inputs.spec.refreshInterval, "5m");
    t.deepEqual(es.inputs.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "appsre-stonesoup-vault" });
    t.deepEqual(es.inputs.spec.target, {
        creationPolicy: "Owner",
        deletionPolicy: "Delete",
        name: "pipelines-as-code-secret",
    });
    t.true(es.dependencies.includes(storeUrn));
    t.true(es.dependencies.includes(find("kubernetes:core/v1:Namespace", "fan-namespace").urn));
});

test("separate host: a referenced store is read there (named by host and store) before the webhook secret", (t) => {
    const check = find(
        "kubernetes:external-secrets.io/v1:ClusterSecretStore",
        "crt-host-store-ref-appsre-stonesoup-vault",
    );
    t.is(providerUrn(check.provider), hostProviderUrn);
    t.true(
        find("kubernetes:external-secrets.io/v1:ExternalSecret", "ref-webhook-secret").dependencies.includes(check.urn),
    );
    t.truthy(ref.store);
});

test("separate host with a managed store: the store is created there and admits sprayproxy", (t) => {
    const s = find("kubernetes:external-secrets.io/v1:ClusterSecretStore", "own-store");
    t.deepEqual(s.inputs.spec.conditions, [{ namespaces: ["sprayproxy"] }]);
    t.true(find("kubernetes:external-secrets.io/v1:ExternalSecret", "own-webhook-secret").dependencies.includes(s.urn));
    t.is(
        ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore", "fan-").length,
        0,
        "on a compute cluster the cluster's ExternalSecrets owns the store",
    );
});

test("fanout with a generated webhook secret: a secret Secret, no ExternalSecret", (t) => {
    t.is(ofType("kubernetes:external-secrets.io/v1:ExternalSecret", "gen-").length, 0);
    const s = find("kubernetes:core/v1:Secret", "gen-webhook-secret");
    t.like(s.inputs.metadata, { name: "pipelines-as-code-secret", namespace: "sprayproxy" });
    t.true(isSecretValue(s.inputs.stringData));
    t.deepEqual(unsecret(s.inputs.stringData), { "webhook.secret": "hunter2" });
});

test("buildSprayProxy: backends follow the members given, in order; one member, one backend", (t) => {
    const base = {
        image: "i@sha256:" + "a".repeat(64),
        kubeRbacProxyImage: "k@sha256:" + "b".repeat(64),
        hostname: "h",
        readiness: READY,
    };
    const env = (backends: string[]) =>
        (buildSprayProxy({ ...base, backends }).deployment.spec.template as any).spec.containers[0].env[0].value;
    t.is(env(["https://a", "https://b"]), "https://a https://b");
    t.is(env(["https://b"]), "https://b");
});

test("single: HAProxy with its config, routing X-Github-Event to the PaC service, behind an edge Route", async (t) => {
    const cm = find("kubernetes:core/v1:ConfigMap", "one-haproxy-config");
    t.like(cm.inputs.metadata, { name: "haproxy-config", namespace: "gateway" });
    t.is(cm.inputs.data["haproxy.cfg"], haproxyConfig());
    const spec = dep("one").inputs.spec.template.spec;
    const c = spec.containers[0];
    t.is(c.image, HAPROXY);
    t.deepEqual(c.resources, GATEWAY_RESOURCES.single);
    t.deepEqual(spec.volumes, [
        { name: "tmp", emptyDir: {} },
        { name: "haproxy-config", configMap: { name: "haproxy-config" } },
    ]);
    t.is(dep("one").inputs.spec.replicas, 1);
    t.is(find("kubernetes:core/v1:Namespace", "one-namespace").inputs.metadata.name, "gateway");
    t.is(find("kubernetes:core/v1:Service", "one-service").inputs.spec.ports[0].targetPort, "http-port");
    t.like(find("kubernetes:route.openshift.io/v1:Route", "one-route").inputs.spec.tls, { termination: "edge" });
    t.is(await promiseOf(one.url), "https://webhooks.example.com");
    t.deepEqual(await promiseOf(one.backends), [PAC_CONTROLLER_SERVICE]);
});

test("namespace sprayproxy, managed by the openshift-gitops Argo CD", (t) => {
    const ns = find("kubernetes:core/v1:Namespace", "fan-namespace");
    t.is(ns.inputs.metadata.name, "sprayproxy");
    t.is(ns.inputs.metadata.labels["argocd.argoproj.io/managed-by"], "openshift-gitops");
});

test("registerOutputs", (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(fanUrn)), [
        "backends",
        "deployment",
        "namespace",
        "route",
        "service",
        "serviceMonitor",
        "url",
    ]);
    t.deepEqual(outputKeys(registeredOutputs.get(oneUrn)), [
        "backends",
        "deployment",
        "namespace",
        "route",
        "service",
        "url",
    ]);
    t.deepEqual(outputKeys(registeredOutputs.get(refUrn)), [
        "backends",
        "deployment",
        "namespace",
        "route",
        "service",
        "serviceMonitor",
        "store",
        "url",
    ]);
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
    t.throws(
        () =>
            new Gateway("bad", {
                provider,
                mode: "single",
                hostname: "x.example.com",
                members,
                settings: single,
                readiness: READY,
            }),
        { message: /exactly one member cluster, got 3/ },
    );
});

test("pacRouteUrl", (t) => {
    t.is(
        pacRouteUrl("apps.a.example.com"),
        "https://pipelines-as-code-controller-openshift-pipelines.apps.a.example.com",
    );
});

// ----- gateway.hostKubeconfig: a host cluster that is not a compute cluster (lib/config.ts)

test("config: gateway.hostKubeconfig names a separate host (default gateway-host), never a compute cluster, fanout only", async (t) => {
    const { resolveConfig } = await import("../../../lib/config.js");
    const { stackValues } = await import("../../helpers/stack.js");
    const prodValues = stackValues("prod") as Record<string, any>;
    const withHost = (gateway: Record<string, unknown>) => ({
        ...prodValues,
        gateway: { ...prodValues.gateway, hostCluster: undefined, ...gateway },
    });
    const ok = resolveConfig("prod", withHost({ hostKubeconfig: { context: "crt-host" } }));
    t.deepEqual(ok.gateway, {
        mode: "fanout",
        hostname: prodValues.gateway.hostname,
        hostCluster: "gateway-host",
        hostKubeconfig: { context: "crt-host" },
    });
    t.is(
        resolveConfig("prod", withHost({ hostKubeconfig: { context: "crt-host" }, hostCluster: "stone-prd-host" }))
            .gateway.hostCluster,
        "stone-prd-host",
    );
    t.throws(
        () =>
            resolveConfig("prod", withHost({ hostKubeconfig: { context: "crt-host" }, hostCluster: "stone-prd-rh01" })),
        { message: /gateway\.hostCluster: 'stone-prd-rh01' is a compute cluster, but gateway\.hostKubeconfig says/ },
    );
    t.throws(() => resolveConfig("prod", withHost({ hostKubeconfig: {} })), {
        message: /gateway\.hostKubeconfig: needs a context/,
    });
    t.is(resolveConfig("prod", prodValues).gateway.hostKubeconfig, undefined);
});
