/**
 * The gateway that routes Git webhook events to Pipelines as Code.
 *
 * Type token: `pipeline-service:gateway:Gateway`.
 * - `single` mode (Phase 1, ADR-0001; pipeline-service@kcp `operator/gitops/kcp/gateway/`): an HAProxy Deployment
 *   that sends requests carrying `X-Github-Event` to `pipelines-as-code-controller.openshift-pipelines.svc:8080`
 *   on the one member cluster (constraint 45).
 * - `fanout` mode (ADR-0031; redhat-appstudio/sprayproxy `config/`): a SprayProxy Deployment on the host cluster
 *   whose backends are every member cluster's PaC controller route; it validates the GitHub signature with the
 *   webhook secret, taken from the same source as PaC's (the `<prefix>/github-app` Vault key, or the same
 *   generated value in dev; constraint 29).
 * Both expose an OpenShift Route on the configured hostname; the gateway URL is `https://<hostname>`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../lib/config.js";
import { ARGOCD_MANAGED_BY, awaitAnnotations, customResource, labels, Readiness, Resources, RESTRICTED_SECURITY_CONTEXT } from "../lib/k8s.js";
import { buildExternalSecret, vaultKey } from "./externalSecrets.js";

export const PAC_CONTROLLER_SERVICE = "pipelines-as-code-controller.openshift-pipelines.svc.cluster.local:8080";
export const GATEWAY_NAMESPACE = { single: "gateway", fanout: "sprayproxy" } as const;

/** PaC controller route URL of a member cluster (the operator creates the Route `pipelines-as-code-controller`). */
export function pacRouteUrl(appsDomain: string): string {
    return `https://pipelines-as-code-controller-openshift-pipelines.${appsDomain}`;
}

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
}

/** Validate gateway membership; throws with the config key to fix. */
export function checkMembers(mode: "single" | "fanout", members: GatewayMember[]): void {
    if (mode === "single" && members.length !== 1) {
        throw new Error(`pipeline-service:gateway.mode: 'single' routes to exactly one member cluster, got ${members.length} ` +
            "(ADR-0001); use gateway.mode fanout for several clusters");
    }
    if (members.length === 0) throw new Error("pipeline-service:gateway: the gateway needs at least one member cluster");
}

export class Gateway extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    public readonly route: k8s.apiextensions.CustomResource;
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
        const app = args.mode === "single" ? "haproxy" : "sprayproxy";
        const selector = { "app.kubernetes.io/name": app };

        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: ns, labels: labels(ARGOCD_MANAGED_BY), annotations: { "argocd.argoproj.io/sync-wave": "-1" } },
        }, child);
        const inNs = { parent: this, provider, dependsOn: [this.namespace] };

        let container: k8s.types.input.core.v1.Container;
        const volumes: k8s.types.input.core.v1.Volume[] = [{ name: "tmp", emptyDir: {} }];
        let backends: string[];
        if (args.mode === "single") {
            backends = [PAC_CONTROLLER_SERVICE];
            const cm = new k8s.core.v1.ConfigMap(`${name}-haproxy-config`, {
                metadata: { name: "haproxy-config", namespace: ns, labels: labels() },
                data: { "haproxy.cfg": haproxyConfig() },
            }, inNs);
            volumes.push({ name: "haproxy-config", configMap: { name: cm.metadata.name } });
            container = {
                name: "haproxy",
                image: s.gatewayImages.haproxy!,
                ports: [{ name: "http-port", containerPort: 8080 }],
                securityContext: RESTRICTED_SECURITY_CONTEXT,
                resources: GATEWAY_RESOURCES.single,
                volumeMounts: [
                    { name: "haproxy-config", mountPath: "/usr/local/etc/haproxy/haproxy.cfg", subPath: "haproxy.cfg", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
            };
        } else {
            backends = args.members.map((m) => pacRouteUrl(m.appsDomain));
            // The webhook secret comes from the same source as PaC's.
            if (args.webhookSecret !== undefined) {
                new k8s.core.v1.Secret(`${name}-webhook-secret`, {
                    metadata: { name: "pipelines-as-code-secret", namespace: ns, labels: labels() },
                    stringData: { "webhook.secret": args.webhookSecret },
                }, inNs);
            } else {
                customResource(`${name}-webhook-secret`, buildExternalSecret({
                    name: "pipelines-as-code-secret",
                    namespace: ns,
                    storeName: s.secretStore.name,
                    key: vaultKey(s.secretStore.keyPrefix, "github-app"),
                    refreshInterval: s.secrets.pacRefreshInterval,
                    target: { name: "pipelines-as-code-secret", creationPolicy: "Owner", deletionPolicy: "Delete" },
                    readiness,
                }), { ...inNs, dependsOn: [this.namespace, ...((args.dependsOn ?? []) as pulumi.Resource[])] });
            }
            container = {
                name: "sprayproxy",
                image: s.gatewayImages.sprayproxy,
                args: ["server"],
                ports: [{ name: "server", containerPort: 8080 }],
                env: [
                    { name: "SPRAYPROXY_SERVER_BACKEND", value: backends.join(" ") },
                    { name: "GH_APP_WEBHOOK_SECRET", valueFrom: { secretKeyRef: { name: "pipelines-as-code-secret", key: "webhook.secret" } } },
                ],
                securityContext: RESTRICTED_SECURITY_CONTEXT,
                resources: GATEWAY_RESOURCES.fanout,
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            };
        }

        this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: app, namespace: ns, labels: labels(selector), annotations: awaitAnnotations(readiness) },
            spec: {
                replicas: args.mode === "single" ? 1 : 2,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: labels(selector) },
                    spec: {
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [container],
                        volumes,
                    },
                },
            },
        }, inNs);
        const port = args.mode === "single" ? "http-port" : "server";
        this.service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: app, namespace: ns, labels: labels(selector), annotations: awaitAnnotations(readiness) },
            spec: { selector, ports: [{ name: "http", port: 80, targetPort: port }] },
        }, inNs);
        this.route = customResource(`${name}-route`, {
            apiVersion: "route.openshift.io/v1",
            kind: "Route",
            metadata: {
                name: `${app}-route`,
                namespace: ns,
                labels: labels(selector),
                annotations: { "haproxy.router.openshift.io/hsts_header": "max-age=63072000" },
            },
            spec: {
                host: args.hostname,
                to: { kind: "Service", name: app, weight: 100 },
                port: { targetPort: "http" },
                tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" },
                wildcardPolicy: "None",
            },
        }, { ...inNs, dependsOn: [this.namespace, this.service] });

        this.url = pulumi.output(`https://${args.hostname}`);
        this.backends = pulumi.output(backends);
        this.registerOutputs({
            namespace: this.namespace,
            deployment: this.deployment,
            service: this.service,
            route: this.route,
            url: this.url,
            backends: this.backends,
        });
    }
}
