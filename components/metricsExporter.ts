/**
 * The pipeline metrics exporter and the platform's alerts.
 *
 * Type token: `pipeline-service:monitoring:MetricsExporter`.
 * Source: pipeline-service@5b34974a `operator/gitops/argocd/pipeline-service/metrics-exporter/` (Deployment
 * `pipeline-metrics-exporter`, ClusterRole `pipeline-service-exporter-reader`, Service
 * `pipeline-metrics-exporter-service`, ServiceMonitor `pipeline-service`; inventory §2.7, constraint 40) and
 * redhat-appstudio/o11y `prometheus.pipeline_alerts.yaml` (PrometheusRule; inventory §2.12).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitAnnotations, customResource, CustomResourceSpec, labels, PIPELINES_NAMESPACE, Readiness, Resources, RESTRICTED_SECURITY_CONTEXT } from "../lib/k8s.js";

export const EXPORTER_NAME = "pipeline-metrics-exporter";
export const EXPORTER_SA = "pipeline-service-exporter";
export const EXPORTER_PORT = 9117;
/** Requests/limits after prod's "bump-exporter-mem". */
export const EXPORTER_RESOURCES: Resources = {
    requests: { cpu: "250m", memory: "128Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

/** Rules of `pipeline-service-exporter-reader` (read pods/services/namespaces/endpoints and runs; patch runs). */
export const EXPORTER_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
    { apiGroups: [""], resources: ["pods", "services", "namespaces", "endpoints"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get"] },
    { apiGroups: ["tekton.dev"], resources: ["pipelineruns", "taskruns"], verbs: ["get", "list", "watch", "patch"] },
    { apiGroups: ["resolution.tekton.dev"], resources: ["resolutionrequests"], verbs: ["get", "list", "watch", "patch"] },
    { nonResourceURLs: ["/metrics"], verbs: ["get"] },
];

/** ServiceMonitor `pipeline-service` next to the exporter (PR #685). */
export function buildExporterServiceMonitor(): CustomResourceSpec {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
            name: "pipeline-service",
            namespace: PIPELINES_NAMESPACE,
            labels: labels(),
            annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
        },
        spec: {
            jobLabel: "app",
            namespaceSelector: { matchNames: [PIPELINES_NAMESPACE] },
            selector: { matchLabels: { app: EXPORTER_NAME } },
            endpoints: [{ path: "/metrics", port: "metrics", interval: "15s", scheme: "http", honorLabels: true }],
        },
    };
}

/** PrometheusRule with the deadlock and restart alerts of redhat-appstudio/o11y. */
export function buildAlerts(): CustomResourceSpec {
    const common = { team: "pipelines" };
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "pipeline-service-alerts", namespace: PIPELINES_NAMESPACE, labels: labels({ tenant: "rhtap" }) },
        spec: {
            groups: [{
                name: "pipeline_alerts",
                interval: "1m",
                rules: [
                    {
                        alert: "PipelinePodsRepeatedRestarts",
                        expr: 'increase(kube_pod_container_status_restarts_total{namespace="openshift-pipelines", pod=~"tekton-.*|pipelines-as-code-.*"}[5m]) > 0',
                        for: "5m",
                        labels: { severity: "critical", slo: "true" },
                        annotations: { ...common, summary: "Pipeline Service pods restart repeatedly." },
                    },
                    {
                        alert: "PipelineControllerDeadlock",
                        expr: "increase(pipelinerun_kickoff_not_attempted_count[5m]) > 0",
                        for: "75m",
                        labels: { severity: "critical" },
                        annotations: { ...common, summary: "PipelineRuns are not being started." },
                    },
                    {
                        alert: "ResolverControllerDeadlock",
                        expr: "increase(pending_resolutionrequest_count[5m]) > 0",
                        for: "15m",
                        labels: { severity: "critical" },
                        annotations: { ...common, summary: "ResolutionRequests are stuck." },
                    },
                ],
            }],
        },
    };
}

export interface MetricsExporterArgs {
    provider: k8s.Provider;
    image: string;
    readiness: Readiness;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class MetricsExporter extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly clusterRole: k8s.rbac.v1.ClusterRole;
    public readonly service: k8s.core.v1.Service;
    public readonly serviceMonitor: k8s.apiextensions.CustomResource;
    public readonly alerts: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MetricsExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:monitoring:MetricsExporter", name, {}, opts);
        const { provider, readiness } = args;
        const child = { parent: this, provider, dependsOn: args.dependsOn };
        const selector = { app: EXPORTER_NAME };

        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: EXPORTER_SA, namespace: PIPELINES_NAMESPACE, labels: labels() },
        }, child);
        this.clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-reader`, {
            metadata: { name: "pipeline-service-exporter-reader", labels: labels() },
            rules: EXPORTER_RULES,
        }, child);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-reader-binding`, {
            metadata: { name: "pipeline-service-exporter-reader-binding", labels: labels() },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: this.clusterRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: EXPORTER_SA, namespace: PIPELINES_NAMESPACE }],
        }, child);
        this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: EXPORTER_NAME, namespace: PIPELINES_NAMESPACE, labels: labels(selector), annotations: awaitAnnotations(readiness) },
            spec: {
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: labels(selector) },
                    spec: {
                        serviceAccountName: sa.metadata.name,
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [{
                            name: EXPORTER_NAME,
                            image: args.image,
                            args: ["-pprof-address", "6060"],
                            ports: [{ name: "metrics", containerPort: EXPORTER_PORT }],
                            securityContext: RESTRICTED_SECURITY_CONTEXT,
                            resources: EXPORTER_RESOURCES,
                        }],
                    },
                },
            },
        }, child);
        this.service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: `${EXPORTER_NAME}-service`, namespace: PIPELINES_NAMESPACE, labels: labels(selector), annotations: awaitAnnotations(readiness) },
            spec: { selector, ports: [{ name: "metrics", port: EXPORTER_PORT, targetPort: EXPORTER_PORT }] },
        }, child);
        this.serviceMonitor = customResource(`${name}-servicemonitor`, buildExporterServiceMonitor(), child);
        this.alerts = customResource(`${name}-alerts`, buildAlerts(), child);

        this.registerOutputs({
            deployment: this.deployment,
            clusterRole: this.clusterRole,
            service: this.service,
            serviceMonitor: this.serviceMonitor,
            alerts: this.alerts,
        });
    }
}
