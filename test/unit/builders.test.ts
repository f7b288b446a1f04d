/**
 * The pure builders extracted from the component classes (issue 14): each returns the object the class registers,
 * and the objects of one builder agree with each other (names referenced are names defined, ports named are ports
 * declared). The components' own tests assert the same objects through the mock collector.
 */
import test from "ava";
import fc from "fast-check";
import { installMocks } from "../helpers/mocks.js";
import { READY, clusterSettings, defaultSettings } from "./helpers/fixtures.js";

await installMocks("unit");
const {
    ARGOCD_MANAGED_BY,
    PIPELINES_NAMESPACE,
    RESTRICTED_SECURITY_CONTEXT,
    buildManagedNamespace,
    buildPacWebhookSecret,
} = await import("../../lib/k8s.js");
const { ARGOCD_CONTROLLER_SA, CONTROLLER_ROLES, buildControllerClusterRole, buildControllerClusterRoleBinding } =
    await import("../../components/argocd.js");
const { GATEWAY_RESOURCES, PAC_CONTROLLER_SERVICE, buildHaproxyGateway, haproxyConfig } =
    await import("../../components/gateway.js");
const { GATEWAY_NAMESPACE } = await import("../../lib/naming.js");
const {
    CHAINS_PUBLIC_KEY_SECRET,
    CHAINS_PUBLIC_KEY_VIEWER,
    buildChainsPublicKeyViewerBinding,
    buildChainsPublicKeyViewerRole,
} = await import("../../components/openshiftPipelines.js");
const { RESULTS_DB_SECRET, buildGeneratedDbSecret } = await import("../../components/tektonResults.js");
const { buildEsoOperator } = await import("../../components/externalSecrets.js");

/** The plain metadata of a builder's output (builders return plain objects; the SDK types allow Inputs). */
interface Meta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}
const meta = (o: { metadata?: unknown }): Meta => o.metadata as Meta;

// DNS-1123 labels: what a namespace name may be.
const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/);

test("buildManagedNamespace: wave -1 and Argo CD's managed-by label, for any namespace name", (t) => {
    fc.assert(
        fc.property(dnsLabel, (ns) => {
            const o = buildManagedNamespace(ns);
            t.is(meta(o).name, ns);
            t.like(meta(o).labels as Record<string, string>, ARGOCD_MANAGED_BY);
            t.deepEqual(meta(o).annotations, { "argocd.argoproj.io/sync-wave": "-1" });
        }),
    );
    t.not(buildManagedNamespace("a").metadata, buildManagedNamespace("a").metadata, "a fresh object each call");
});

test("buildPacWebhookSecret: the webhook secret under the key PaC and SprayProxy read, in the namespace asked", (t) => {
    const o = buildPacWebhookSecret("sprayproxy", "s3cr3t");
    t.is(meta(o).name, "pipelines-as-code-secret");
    t.is(meta(o).namespace, "sprayproxy");
    t.deepEqual(o.stringData, { "webhook.secret": "s3cr3t" });
    t.is(o.data, undefined, "stringData only: the value is never base64-encoded by the program");
});

test("Argo CD controller roles: each binding grants its own ClusterRole to the application controller", (t) => {
    t.true(CONTROLLER_ROLES.length > 0);
    for (const role of CONTROLLER_ROLES) {
        const cr = buildControllerClusterRole(role);
        const crb = buildControllerClusterRoleBinding(role);
        t.is(meta(cr).name, role.name);
        t.deepEqual(cr.rules, role.rules);
        t.deepEqual(crb.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.name });
        t.deepEqual(crb.subjects, [
            { kind: "ServiceAccount", name: ARGOCD_CONTROLLER_SA, namespace: "openshift-gitops" },
        ]);
    }
});

test("buildHaproxyGateway: the Route reaches the Service, the Service the container, the volume the ConfigMap", (t) => {
    const image = `quay.io/example/haproxy@sha256:${"0".repeat(64)}`;
    fc.assert(
        fc.property(fc.array(dnsLabel, { minLength: 2, maxLength: 4 }), (labels) => {
            const hostname = labels.join(".");
            const o = buildHaproxyGateway({ image, hostname, readiness: READY });
            const ns = GATEWAY_NAMESPACE.single;
            for (const m of [o.configMap.metadata, o.deployment.metadata, o.service.metadata, o.route.metadata])
                t.is((m as { namespace?: string }).namespace, ns);
            const pod = (o.deployment.spec as any).template.spec;
            const container = pod.containers[0];
            t.is(container.image, image);
            t.deepEqual(container.securityContext, RESTRICTED_SECURITY_CONTEXT);
            t.deepEqual(container.resources, GATEWAY_RESOURCES.single);
            t.is(pod.securityContext.runAsNonRoot, true);
            // Route → Service (by name and port name) → container port (by name).
            const service = o.service as any;
            const route = o.route.spec as any;
            t.is(route.host, hostname);
            t.is(route.to.name, service.metadata.name);
            t.true(service.spec.ports.some((p: any) => p.name === route.port.targetPort));
            const containerPorts = container.ports.map((p: any) => p.name);
            for (const p of service.spec.ports) t.true(containerPorts.includes(p.targetPort), `${p.targetPort}`);
            // The Service selects the pods of the Deployment.
            t.like((o.deployment.spec as any).template.metadata.labels, service.spec.selector);
            t.deepEqual((o.deployment.spec as any).selector.matchLabels, service.spec.selector);
            // Every mount names a volume; the config volume is the ConfigMap, whose key is the mounted subPath.
            const volumes = new Map(pod.volumes.map((v: any) => [v.name, v]));
            for (const m of container.volumeMounts) t.true(volumes.has(m.name), m.name);
            const cfgMount = container.volumeMounts.find((m: any) => m.subPath);
            const cfgVolume = volumes.get(cfgMount.name) as any;
            t.is(cfgVolume.configMap.name, (o.configMap.metadata as any).name);
            t.deepEqual(Object.keys(o.configMap.data as object), [cfgMount.subPath]);
        }),
        { numRuns: 25 },
    );
    const cfg = (buildHaproxyGateway({ image, hostname: "h.example.com", readiness: READY }).configMap.data as any)[
        "haproxy.cfg"
    ];
    t.is(cfg, haproxyConfig());
    t.true(cfg.includes(PAC_CONTROLLER_SERVICE), "the configuration forwards to PaC's controller Service");
});

test("Chains public-key viewer: the Secret public-key only, read-only, bound for every authenticated user", (t) => {
    const role = buildChainsPublicKeyViewerRole();
    const binding = buildChainsPublicKeyViewerBinding();
    t.is(meta(role).name, CHAINS_PUBLIC_KEY_VIEWER);
    t.deepEqual(role.rules, [
        {
            apiGroups: [""],
            resources: ["secrets"],
            resourceNames: [CHAINS_PUBLIC_KEY_SECRET],
            verbs: ["get", "list", "watch"],
        },
    ]);
    t.is(meta(binding).namespace, PIPELINES_NAMESPACE);
    t.deepEqual(binding.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: meta(role).name,
    });
    t.deepEqual(binding.subjects, [
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" },
    ]);
});

test("buildGeneratedDbSecret: the keys the Results API reads, db.host only when a host is set", (t) => {
    const r = defaultSettings().results;
    const without = buildGeneratedDbSecret({ ...r, database: { ...r.database, host: undefined } }, "pw");
    t.is(meta(without).name, RESULTS_DB_SECRET);
    t.is(meta(without).namespace, PIPELINES_NAMESPACE);
    t.deepEqual(without.stringData, { "db.user": "tekton", "db.password": "pw", "db.name": r.database.name });
    const withHost = buildGeneratedDbSecret({ ...r, database: { ...r.database, host: "postgres.db.svc" } }, "pw");
    t.is((withHost.stringData as Record<string, string>)["db.host"], "postgres.db.svc");
});

test("buildEsoOperator: the OperatorGroup and the Subscription live in the Namespace it builds", (t) => {
    const eso = clusterSettings("dev").externalSecrets;
    const o = buildEsoOperator({ ...eso, namespace: "eso-x" });
    t.is(meta(o.namespace).name, "eso-x");
    t.is(o.operatorGroup.metadata.namespace, "eso-x");
    t.deepEqual((o.operatorGroup.spec as any).targetNamespaces, ["eso-x"]);
    t.is(o.subscription.namespace, "eso-x");
});
