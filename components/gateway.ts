/**
 * The gateway that routes Git webhook events to Pipelines as Code.
 *
 * Type token: `pipeline-service:gateway:Gateway`.
 * - `single` mode (Phase 1, ADR-0001; pipeline-service@kcp `operator/gitops/kcp/gateway/`): an HAProxy Deployment
 *   that sends requests carrying `X-Github-Event` to `pipelines-as-code-controller.openshift-pipelines.svc:8080`
 *   on the one member cluster (constraint 45).
 * - `fanout` mode (ADR-0031): SprayProxy exactly as konflux-ci/sprayproxy `config/`@f1afe076 deploys it, with
 *   infra-deployments' production overlay (components/sprayproxy/production@22396f90: backends, webhook secret,
 *   2 replicas with pod anti-affinity, the `pipeline-service-sre` view RoleBinding). Its backends are the PaC
 *   controller routes of the member clusters the stack deploys (the active ones); it validates the GitHub signature
 *   with the webhook secret from the same source as PaC's (the `<prefix>/github-app` key, or the same generated
 *   value in dev; constraint 29). kube-rbac-proxy fronts every path but `/proxy` and `/healthz` (so `/backends`
 *   needs the `sprayproxy-backend-register` ClusterRole), with the serving certificate `sprayproxy-tls`, behind a
 *   reencrypt Route to the `proxy` port; metrics go through `kube-rbac-metrics` to a ServiceMonitor.
 *   It runs on a compute cluster or, with `gateway.hostKubeconfig`, on a host cluster of its own (ADR-0009: "on the
 *   CRT host cluster"; infra-deployments argo-cd-apps/base/host/sprayproxy@22396f90).
 * Both expose an OpenShift Route on the configured hostname; the gateway URL is `https://<hostname>`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../lib/config.js";
import { buildExternalSecret, vaultKey } from "../lib/externalSecret.js";
import {
    awaitAnnotations,
    buildManagedNamespace,
    buildPacWebhookSecret,
    customResource,
    CustomResourceSpec,
    labels,
    Readiness,
    Resources,
    RESTRICTED_SECURITY_CONTEXT,
    restrictedPodSecurityContext,
} from "../lib/k8s.js";
import { GATEWAY_NAMESPACE, pacRouteUrl } from "../lib/naming.js";
import { clusterStores } from "../lib/clusterSecretStores.js";

export const PAC_CONTROLLER_SERVICE = "pipelines-as-code-controller.openshift-pipelines.svc.cluster.local:8080";

/** haproxy.cfg of the Phase 1 gateway (`haproxy-cfg-cm.yaml` @kcp). */
export function haproxyConfig(backend = PAC_CONTROLLER_SERVICE): string {
    return [
        "global",
        "  maxconn 20000",
        "  nbthread 2",
        "defaults",
        "  mode http",
        "  timeout connect 5s",
        "  timeout client 30s",
        "  timeout server 30s",
        "  timeout http-request 10s",
        "  timeout http-keep-alive 300s",
        "frontend fe_el_pac_http",
        "  bind :8080",
        "  acl PAC hdr(X-Github-Event) -m found",
        "  use_backend be_el_pac if PAC",
        "backend be_el_pac",
        "  option forwardfor",
        "  option redispatch",
        `  server el-pac ${backend}`,
        "",
    ].join("\n");
}

export const GATEWAY_RESOURCES: Record<"single" | "fanout", Resources> = {
    single: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    fanout: { requests: { cpu: "5m", memory: "64Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
};

/** kube-rbac-proxy and kube-rbac-metrics requests/limits (sprayproxy config/sprayproxy.yaml@f1afe076). */
export const RBAC_PROXY_RESOURCES: Resources = {
    requests: { cpu: "5m", memory: "64Mi" },
    limits: { cpu: "500m", memory: "128Mi" },
};

/** Names and ports of the SprayProxy deployment (sprayproxy config/*.yaml@f1afe076). */
export const SPRAYPROXY = {
    namespace: GATEWAY_NAMESPACE.fanout,
    name: "sprayproxy",
    serviceAccount: "sprayproxy",
    tlsSecret: "sprayproxy-tls",
    route: "sprayproxy-route",
    metricsService: "metrics",
    metricsReader: "metrics-reader",
    /** Paths kube-rbac-proxy lets through without a token: GitHub's webhook deliveries and the health check. */
    ignorePaths: ["/proxy", "/healthz"],
    ports: { server: 8080, proxy: 8443, metrics: 9443, upstreamMetrics: 9090 },
} as const;

/** Inputs of {@link buildSprayProxy}. */
export interface SprayProxyInputs {
    image: string;
    kubeRbacProxyImage: string;
    hostname: string;
    /** The PaC controller routes SprayProxy forwards to. */
    backends: string[];
    readiness: Readiness;
}

/** `metadata` of a namespaced object the gateway builders describe (names, labels, annotations; nothing else). */
interface NamespacedMetadata {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

/** Every object of the SprayProxy deployment, as plain descriptions (the component turns them into resources). */
export interface SprayProxyObjects {
    serviceAccounts: { metadata: { name: string; namespace: string; labels: Record<string, string> } }[];
    clusterRoles: {
        metadata: { name: string; labels: Record<string, string> };
        rules: k8s.types.input.rbac.v1.PolicyRule[];
    }[];
    clusterRoleBindings: {
        metadata: { name: string; labels: Record<string, string> };
        roleRef: k8s.types.input.rbac.v1.RoleRef;
        subjects: k8s.types.input.rbac.v1.Subject[];
    }[];
    roleBinding: {
        metadata: { name: string; namespace: string; labels: Record<string, string> };
        roleRef: k8s.types.input.rbac.v1.RoleRef;
        subjects: k8s.types.input.rbac.v1.Subject[];
    };
    metricsReaderToken: {
        metadata: NamespacedMetadata;
        type: string;
    };
    deployment: {
        metadata: NamespacedMetadata;
        spec: k8s.types.input.apps.v1.DeploymentSpec;
    };
    service: {
        metadata: NamespacedMetadata;
        spec: k8s.types.input.core.v1.ServiceSpec;
    };
    metricsService: {
        metadata: NamespacedMetadata;
        spec: k8s.types.input.core.v1.ServiceSpec;
    };
    route: CustomResourceSpec;
    serviceMonitor: CustomResourceSpec;
}

/**
 * SprayProxy as konflux-ci/sprayproxy `config/`@f1afe076 deploys it (namespace `sprayproxy` from its
 * kustomization), plus infra-deployments components/sprayproxy@22396f90: `production/bump-replicas.yaml` (2 replicas,
 * pod label `app: sprayproxy`, preferred anti-affinity on the hostname), `production/change-backends.yaml` and
 * `change-webhook-secret.yaml` (the env values) and `base/rbac/pipeline-service-sre.yaml`. Deviations: every
 * container runs with the restricted securityContext (constraint 34; upstream sets only readOnlyRootFilesystem) and
 * SprayProxy gets a `/tmp` emptyDir; the images are pinned (constraint 38); the Route carries the stack's hostname.
 */
export function buildSprayProxy(a: SprayProxyInputs): SprayProxyObjects {
    const { namespace, name, serviceAccount, tlsSecret, ports } = SPRAYPROXY;
    const selector = { "app.kubernetes.io/name": name };
    const sa = (n: string) => ({ kind: "ServiceAccount", name: n, namespace });
    const crb = (n: string, role: string, subject: string) => ({
        metadata: { name: n, labels: labels() },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [sa(subject)],
    });
    return {
        serviceAccounts: [
            { metadata: { name: serviceAccount, namespace, labels: labels() } },
            { metadata: { name: SPRAYPROXY.metricsReader, namespace, labels: labels() } },
        ],
        clusterRoles: [
            {
                metadata: { name: "sprayproxy-kube-rbac-proxy", labels: labels() },
                rules: [
                    { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
                    { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
                ],
            },
            {
                metadata: { name: "sprayproxy-backend-register", labels: labels() },
                rules: [{ nonResourceURLs: ["/backends"], verbs: ["get", "create", "delete"] }],
            },
            {
                metadata: { name: "sprayproxy-metrics-reader", labels: labels() },
                rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
            },
        ],
        clusterRoleBindings: [
            crb("sprayproxy-kube-rbac-proxy", "sprayproxy-kube-rbac-proxy", serviceAccount),
            crb("sprayproxy-backend-register", "sprayproxy-backend-register", serviceAccount),
            crb("sprayproxy-metrics-reader", "sprayproxy-metrics-reader", SPRAYPROXY.metricsReader),
        ],
        roleBinding: {
            metadata: { name: "pipeline-service-sre", namespace, labels: labels() },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
            subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "konflux-pipeline-service" }],
        },
        metricsReaderToken: {
            metadata: {
                name: SPRAYPROXY.metricsReader,
                namespace,
                labels: labels(),
                annotations: { "kubernetes.io/service-account.name": SPRAYPROXY.metricsReader },
            },
            type: "kubernetes.io/service-account-token",
        },
        deployment: {
            metadata: { name, namespace, labels: labels(selector), annotations: awaitAnnotations(a.readiness) },
            spec: {
                replicas: 2,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: labels(selector, { app: name }) },
                    spec: {
                        serviceAccountName: serviceAccount,
                        securityContext: restrictedPodSecurityContext(),
                        affinity: {
                            podAntiAffinity: {
                                preferredDuringSchedulingIgnoredDuringExecution: [
                                    {
                                        weight: 100,
                                        podAffinityTerm: {
                                            labelSelector: {
                                                matchExpressions: [{ key: "app", operator: "In", values: [name] }],
                                            },
                                            topologyKey: "kubernetes.io/hostname",
                                        },
                                    },
                                ],
                            },
                        },
                        volumes: [
                            { name: "tls", secret: { secretName: tlsSecret, defaultMode: 420 } },
                            { name: "tmp", emptyDir: {} },
                        ],
                        containers: [
                            {
                                name,
                                image: a.image,
                                args: ["server"],
                                env: [
                                    { name: "SPRAYPROXY_SERVER_BACKEND", value: a.backends.join(" ") },
                                    {
                                        name: "GH_APP_WEBHOOK_SECRET",
                                        valueFrom: {
                                            secretKeyRef: { name: "pipelines-as-code-secret", key: "webhook.secret" },
                                        },
                                    },
                                ],
                                ports: [{ containerPort: ports.server, name: "server" }],
                                resources: GATEWAY_RESOURCES.fanout,
                                securityContext: RESTRICTED_SECURITY_CONTEXT,
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                            {
                                name: "kube-rbac-proxy",
                                image: a.kubeRbacProxyImage,
                                args: [
                                    `--secure-listen-address=0.0.0.0:${ports.proxy}`,
                                    `--upstream=http://127.0.0.1:${ports.server}/`,
                                    `--ignore-paths=${SPRAYPROXY.ignorePaths.join(",")}`,
                                    "--logtostderr=true",
                                    "--v=4",
                                    "--tls-cert-file=/etc/tls/tls.crt",
                                    "--tls-private-key-file=/etc/tls/tls.key",
                                ],
                                ports: [{ containerPort: ports.proxy, protocol: "TCP", name: "proxy" }],
                                volumeMounts: [{ name: "tls", readOnly: true, mountPath: "/etc/tls" }],
                                resources: RBAC_PROXY_RESOURCES,
                                securityContext: RESTRICTED_SECURITY_CONTEXT,
                            },
                            {
                                name: "kube-rbac-metrics",
                                image: a.kubeRbacProxyImage,
                                args: [
                                    `--secure-listen-address=0.0.0.0:${ports.metrics}`,
                                    `--upstream=http://127.0.0.1:${ports.upstreamMetrics}/`,
                                    "--logtostderr=true",
                                    "--v=4",
                                ],
                                ports: [{ containerPort: ports.metrics, protocol: "TCP", name: "metrics" }],
                                resources: RBAC_PROXY_RESOURCES,
                                securityContext: RESTRICTED_SECURITY_CONTEXT,
                            },
                        ],
                    },
                },
            },
        },
        service: {
            metadata: {
                name,
                namespace,
                labels: labels(selector),
                annotations: {
                    "service.beta.openshift.io/serving-cert-secret-name": tlsSecret,
                    ...awaitAnnotations(a.readiness),
                },
            },
            spec: { selector, ports: [{ name: "proxy", protocol: "TCP", port: ports.proxy, targetPort: "proxy" }] },
        },
        // "Two separate services are created as workaround for OCPBUGS-5916" (sprayproxy.yaml@f1afe076).
        metricsService: {
            metadata: {
                name: SPRAYPROXY.metricsService,
                namespace,
                labels: labels({ "app.kubernetes.io/name": "metrics", "app.kubernetes.io/part-of": "sprayproxy" }),
                annotations: awaitAnnotations(a.readiness),
            },
            spec: {
                selector,
                ports: [{ name: "metrics", protocol: "TCP", port: ports.metrics, targetPort: "metrics" }],
            },
        },
        route: {
            apiVersion: "route.openshift.io/v1",
            kind: "Route",
            metadata: {
                name: SPRAYPROXY.route,
                namespace,
                labels: labels(selector),
                annotations: { "haproxy.router.openshift.io/hsts_header": "max-age=63072000" },
            },
            spec: {
                host: a.hostname,
                tls: { termination: "reencrypt", insecureEdgeTerminationPolicy: "Redirect" },
                to: { kind: "Service", name },
                port: { targetPort: "proxy" },
            },
        },
        serviceMonitor: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name, namespace, labels: labels() },
            spec: {
                endpoints: [
                    {
                        path: "/metrics",
                        port: "metrics",
                        scheme: "https",
                        bearerTokenSecret: { name: SPRAYPROXY.metricsReader, key: "token" },
                        tlsConfig: { insecureSkipVerify: true },
                    },
                ],
                selector: {
                    matchLabels: { "app.kubernetes.io/name": "metrics", "app.kubernetes.io/part-of": "sprayproxy" },
                },
            },
        },
    };
}

export interface GatewayMember {
    name: string;
    appsDomain: string;
}

export interface GatewayArgs {
    /** Provider of the cluster that runs the gateway. */
    provider: k8s.Provider;
    mode: "single" | "fanout";
    hostname: string;
    /** Member compute clusters; exactly one in `single` mode. */
    members: GatewayMember[];
    /** Settings of the host cluster. */
    settings: Settings;
    /** Generated webhook secret (dev's generated mode), shared with PaC. */
    webhookSecret?: pulumi.Input<string>;
    readiness: Readiness;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * The host is not a compute cluster (`gateway.hostKubeconfig`): no ExternalSecrets component runs there, so the
     * gateway creates or checks the secret store it reads from itself ({@link clusterStores}), named by `hostName`.
     */
    separateHost?: { hostName: string; checkStoresExist?: boolean };
}

/** What {@link buildHaproxyGateway} needs. */
export interface HaproxyInputs {
    /** HAProxy image, pinned by digest (constraint 38). */
    image: string;
    /** The Route's host; the webhook URL is `https://<hostname>`. */
    hostname: string;
    readiness: Readiness;
}

/** The objects of the `single` gateway, all in namespace `GATEWAY_NAMESPACE.single`. */
export interface HaproxyObjects {
    configMap: k8s.core.v1.ConfigMapArgs;
    deployment: k8s.apps.v1.DeploymentArgs;
    service: k8s.core.v1.ServiceArgs;
    route: CustomResourceSpec;
}

/**
 * The `single` gateway (Phase 1, ADR-0001) as pipeline-service@kcp `operator/gitops/kcp/gateway/` deploys it: the
 * ConfigMap `haproxy-config` with {@link haproxyConfig}, one `haproxy` replica listening on 8080 (`http-port`), the
 * Service `haproxy` on port 80 and an edge Route `haproxy-route` (HSTS two years, HTTP redirected). Deviations: the
 * restricted pod and container securityContext (constraint 34) with a `/tmp` emptyDir, requests/limits
 * {@link GATEWAY_RESOURCES}`.single` (constraint 36).
 */
export function buildHaproxyGateway(a: HaproxyInputs): HaproxyObjects {
    const ns = GATEWAY_NAMESPACE.single;
    const app = "haproxy";
    const selector = { "app.kubernetes.io/name": app };
    const configMapName = "haproxy-config";
    return {
        configMap: {
            metadata: { name: configMapName, namespace: ns, labels: labels() },
            data: { "haproxy.cfg": haproxyConfig() },
        },
        deployment: {
            metadata: {
                name: app,
                namespace: ns,
                labels: labels(selector),
                annotations: awaitAnnotations(a.readiness),
            },
            spec: {
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: labels(selector) },
                    spec: {
                        securityContext: restrictedPodSecurityContext(),
                        containers: [
                            {
                                name: "haproxy",
                                image: a.image,
                                ports: [{ name: "http-port", containerPort: 8080 }],
                                securityContext: RESTRICTED_SECURITY_CONTEXT,
                                resources: GATEWAY_RESOURCES.single,
                                volumeMounts: [
                                    {
                                        name: "haproxy-config",
                                        mountPath: "/usr/local/etc/haproxy/haproxy.cfg",
                                        subPath: "haproxy.cfg",
                                        readOnly: true,
                                    },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "tmp", emptyDir: {} },
                            { name: "haproxy-config", configMap: { name: configMapName } },
                        ],
                    },
                },
            },
        },
        service: {
            metadata: {
                name: app,
                namespace: ns,
                labels: labels(selector),
                annotations: awaitAnnotations(a.readiness),
            },
            spec: { selector, ports: [{ name: "http", port: 80, targetPort: "http-port" }] },
        },
        route: {
            apiVersion: "route.openshift.io/v1",
            kind: "Route",
            metadata: {
                name: `${app}-route`,
                namespace: ns,
                labels: labels(selector),
                annotations: { "haproxy.router.openshift.io/hsts_header": "max-age=63072000" },
            },
            spec: {
                host: a.hostname,
                to: { kind: "Service", name: app, weight: 100 },
                port: { targetPort: "http" },
                tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
                wildcardPolicy: "None",
            },
        },
    };
}

/** Validate gateway membership; throws with the config key to fix. */
export function checkMembers(mode: "single" | "fanout", members: GatewayMember[]): void {
    if (mode === "single" && members.length !== 1) {
        throw new Error(
            `pipeline-service:gateway.mode: 'single' routes to exactly one member cluster, got ${members.length} ` +
                "(ADR-0001); use gateway.mode fanout for several clusters",
        );
    }
    if (members.length === 0)
        throw new Error("pipeline-service:gateway: the gateway needs at least one member cluster");
}

export class Gateway extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    public readonly route: k8s.apiextensions.CustomResource;
    /** SprayProxy's metrics ServiceMonitor (fanout only). */
    public readonly serviceMonitor?: k8s.apiextensions.CustomResource;
    /** The store the webhook secret is read from, on a separate host (created or read; see {@link clusterStores}). */
    public readonly store?: k8s.apiextensions.CustomResource;
    /** The webhook URL to configure in the GitHub App, `https://<hostname>`. */
    public readonly url: pulumi.Output<string>;
    /** Backends the gateway forwards to. */
    public readonly backends: pulumi.Output<string[]>;

    constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:gateway:Gateway", name, {}, opts);
        checkMembers(args.mode, args.members);
        const { provider, settings: s, readiness } = args;
        const ns = GATEWAY_NAMESPACE[args.mode];
        const child = { parent: this, provider, dependsOn: args.dependsOn };

        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, buildManagedNamespace(ns), child);
        const inNs = { parent: this, provider, dependsOn: [this.namespace] };

        let backends: string[];
        if (args.mode === "single") {
            backends = [PAC_CONTROLLER_SERVICE];
            const o = buildHaproxyGateway({ image: s.gatewayImages.haproxy!, hostname: args.hostname, readiness });
            const cm = new k8s.core.v1.ConfigMap(`${name}-haproxy-config`, o.configMap, inNs);
            this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, o.deployment, {
                ...inNs,
                dependsOn: [this.namespace, cm],
            });
            this.service = new k8s.core.v1.Service(`${name}-service`, o.service, inNs);
            this.route = customResource(`${name}-route`, o.route, {
                ...inNs,
                dependsOn: [this.namespace, this.service],
            });
        } else {
            backends = args.members.map((m) => pacRouteUrl(m.appsDomain));
            const o = buildSprayProxy({
                image: s.gatewayImages.sprayproxy,
                kubeRbacProxyImage: s.gatewayImages.kubeRbacProxy,
                hostname: args.hostname,
                backends,
                readiness,
            });
            let secretDeps = (args.dependsOn ?? []) as pulumi.Resource[];
            if (args.separateHost && args.webhookSecret === undefined) {
                const stores = clusterStores(name, {
                    provider,
                    clusterName: args.separateHost.hostName,
                    settings: s,
                    storeNames: [s.secretStore.name],
                    consumerNamespaces: [ns],
                    check: args.separateHost.checkStoresExist ?? !process.env.PIPELINE_SERVICE_RENDER_DIR,
                    parent: this,
                });
                this.store = stores.get(s.secretStore.name);
                secretDeps = [...secretDeps, ...stores.values()];
            }
            // The webhook secret comes from the same source as PaC's.
            if (args.webhookSecret !== undefined) {
                new k8s.core.v1.Secret(`${name}-webhook-secret`, buildPacWebhookSecret(ns, args.webhookSecret), inNs);
            } else {
                customResource(
                    `${name}-webhook-secret`,
                    buildExternalSecret({
                        name: "pipelines-as-code-secret",
                        namespace: ns,
                        storeName: s.secretStore.name,
                        key: vaultKey(s.secretStore.keyPrefix, "github-app"),
                        refreshInterval: s.secrets.pacRefreshInterval,
                        target: { name: "pipelines-as-code-secret", creationPolicy: "Owner", deletionPolicy: "Delete" },
                        readiness,
                    }),
                    { ...inNs, dependsOn: [this.namespace, ...secretDeps] },
                );
            }
            const sas = o.serviceAccounts.map(
                (sa) => new k8s.core.v1.ServiceAccount(`${name}-sa-${sa.metadata.name}`, sa, inNs),
            );
            const roles = o.clusterRoles.map(
                (r) => new k8s.rbac.v1.ClusterRole(`${name}-${r.metadata.name}`, r, child),
            );
            o.clusterRoleBindings.forEach(
                (b, i) =>
                    new k8s.rbac.v1.ClusterRoleBinding(`${name}-${b.metadata.name}-binding`, b, {
                        ...child,
                        dependsOn: [roles[i]!, ...sas],
                    }),
            );
            new k8s.rbac.v1.RoleBinding(`${name}-${o.roleBinding.metadata.name}`, o.roleBinding, inNs);
            new k8s.core.v1.Secret(`${name}-metrics-reader-token`, o.metricsReaderToken, {
                ...inNs,
                dependsOn: [this.namespace, ...sas],
            });
            this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, o.deployment, {
                ...inNs,
                dependsOn: [this.namespace, ...sas],
            });
            this.service = new k8s.core.v1.Service(`${name}-service`, o.service, inNs);
            const metrics = new k8s.core.v1.Service(`${name}-metrics-service`, o.metricsService, inNs);
            this.route = customResource(`${name}-route`, o.route, {
                ...inNs,
                dependsOn: [this.namespace, this.service],
            });
            this.serviceMonitor = customResource(`${name}-service-monitor`, o.serviceMonitor, {
                ...inNs,
                dependsOn: [this.namespace, metrics],
            });
        }

        this.url = pulumi.output(`https://${args.hostname}`);
        this.backends = pulumi.output(backends);
        this.registerOutputs({
            namespace: this.namespace,
            deployment: this.deployment,
            service: this.service,
            route: this.route,
            serviceMonitor: this.serviceMonitor,
            store: this.store,
            url: this.url,
            backends: this.backends,
        });
    }
}
