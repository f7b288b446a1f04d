/**
 * The pipeline metrics exporter and the platform's alerts.
 *
 * Type token: `pipeline-service:monitoring:MetricsExporter`.
 * Source: pipeline-service@5b34974a `operator/gitops/argocd/pipeline-service/metrics-exporter/` (Deployment
 * `pipeline-metrics-exporter`, ClusterRole `pipeline-service-exporter-reader`, Service
 * `pipeline-metrics-exporter-service`, ServiceMonitor `pipeline-service`; inventory §2.7, constraint 40) and
 * redhat-appstudio/o11y (PrometheusRule; inventory §2.12):
 * - the 14 alerts of group `pipeline_alerts`, `rhobs/alerting/data_plane/prometheus.pipeline_alerts.yaml@0add2941`
 *   (2024-10-03), with the runbook paths as corrected by o11y `d799594a` (SRVKP-6610, `slos/` → `sre/`);
 * - the 13 availability alerts on `konflux_up`, same file `@935d72c8` (o11y HEAD, 2026-08-20; added in `6d7cf5a6`,
 *   SRVKP-7880), without their `html_url` annotations (they point at lines of o11y's own file);
 * - the `konflux_up` recording rules they read, `rhobs/recording/pipelines_availability_recording_rules.yaml@935d72c8`
 *   (in RHOBS they are evaluated centrally; here the same PrometheusRule carries them, so the availability alerts
 *   work on any cluster with kube-state-metrics).
 * Rule unit tests: test/promql/pipeline-alerts.test.yaml, run by `promtool test rules` in test/e2e/alerts.test.ts.
 *
 * Every Kubernetes object is built by an exported pure `build*` function; the class only registers them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    awaitAnnotations,
    customResource,
    CustomResourceSpec,
    labels,
    PIPELINES_NAMESPACE,
    Readiness,
    Resources,
    RESTRICTED_SECURITY_CONTEXT,
} from "../lib/k8s.js";

export const EXPORTER_NAME = "pipeline-metrics-exporter";
export const EXPORTER_SA = "pipeline-service-exporter";
export const EXPORTER_PORT = 9117;
export const EXPORTER_READER_ROLE = "pipeline-service-exporter-reader";
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
    {
        apiGroups: ["resolution.tekton.dev"],
        resources: ["resolutionrequests"],
        verbs: ["get", "list", "watch", "patch"],
    },
    { nonResourceURLs: ["/metrics"], verbs: ["get"] },
];

const SELECTOR = { app: EXPORTER_NAME };

/** ServiceAccount `pipeline-service-exporter` the exporter runs as. */
export function buildExporterServiceAccount(): k8s.core.v1.ServiceAccountArgs {
    return { metadata: { name: EXPORTER_SA, namespace: PIPELINES_NAMESPACE, labels: labels() } };
}

/** ClusterRole `pipeline-service-exporter-reader`. */
export function buildExporterClusterRole(): k8s.rbac.v1.ClusterRoleArgs {
    return { metadata: { name: EXPORTER_READER_ROLE, labels: labels() }, rules: EXPORTER_RULES };
}

/** ClusterRoleBinding of the reader role to the exporter's ServiceAccount. */
export function buildExporterClusterRoleBinding(): k8s.rbac.v1.ClusterRoleBindingArgs {
    return {
        metadata: { name: `${EXPORTER_READER_ROLE}-binding`, labels: labels() },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: EXPORTER_READER_ROLE },
        subjects: [{ kind: "ServiceAccount", name: EXPORTER_SA, namespace: PIPELINES_NAMESPACE }],
    };
}

/** Deployment `pipeline-metrics-exporter`: one replica, the pinned image, pprof on 6060, metrics on 9117. */
export function buildExporterDeployment(image: string, readiness: Readiness): k8s.apps.v1.DeploymentArgs {
    return {
        metadata: {
            name: EXPORTER_NAME,
            namespace: PIPELINES_NAMESPACE,
            labels: labels(SELECTOR),
            annotations: awaitAnnotations(readiness),
        },
        spec: {
            replicas: 1,
            selector: { matchLabels: SELECTOR },
            template: {
                metadata: { labels: labels(SELECTOR) },
                spec: {
                    serviceAccountName: EXPORTER_SA,
                    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: EXPORTER_NAME,
                            image,
                            args: ["-pprof-address", "6060"],
                            ports: [{ name: "metrics", containerPort: EXPORTER_PORT }],
                            securityContext: RESTRICTED_SECURITY_CONTEXT,
                            resources: EXPORTER_RESOURCES,
                        },
                    ],
                },
            },
        },
    };
}

/** Service `pipeline-metrics-exporter-service` in front of the exporter's metrics port. */
export function buildExporterService(readiness: Readiness): k8s.core.v1.ServiceArgs {
    return {
        metadata: {
            name: `${EXPORTER_NAME}-service`,
            namespace: PIPELINES_NAMESPACE,
            labels: labels(SELECTOR),
            annotations: awaitAnnotations(readiness),
        },
        spec: { selector: SELECTOR, ports: [{ name: "metrics", port: EXPORTER_PORT, targetPort: EXPORTER_PORT }] },
    };
}

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
            selector: { matchLabels: SELECTOR },
            endpoints: [{ path: "/metrics", port: "metrics", interval: "15s", scheme: "http", honorLabels: true }],
        },
    };
}

// ---------------------------------------------------------------------------------------------------------------
// Alerts

/**
 * Routing and runbook values of the alerts. The defaults are upstream's (o11y
 * `prometheus.pipeline_alerts.yaml@0add2941`); a later config step (`monitoring.alertLabels`, `monitoring.runbookBase`,
 * upstream-conformance §4 item 6) passes its own.
 */
export interface AlertSettings {
    /** `alert_team_handle` (SLO alerts) and `alert_routing_key` (non-SLO alerts): the Slack subteam that is paged. */
    teamHandle: string;
    /** The `team` annotation. */
    team: string;
    /** Base URL of the runbooks (SOP repository); each alert appends its runbook's path. Must be https. */
    runbookBase: string;
}

/** The Slack subteam of the Pipelines team, o11y `prometheus.pipeline_alerts.yaml@0add2941` (`alert_team_handle`). */
export const ALERT_TEAM_HANDLE = "<!subteam^S04PYECHCCU>";
/** o11y `prometheus.pipeline_alerts.yaml@0add2941` (`team`). */
export const ALERT_TEAM = "pipelines";
/** The Konflux SOP repository every `runbook_url` of o11y `prometheus.pipeline_alerts.yaml@0add2941` points into. */
export const RUNBOOK_BASE = "https://gitlab.cee.redhat.com/konflux/docs/sop/-/blob/main";
export const DEFAULT_ALERT_SETTINGS: AlertSettings = Object.freeze({
    teamHandle: ALERT_TEAM_HANDLE,
    team: ALERT_TEAM,
    runbookBase: RUNBOOK_BASE,
});

/** Runbook paths under {@link AlertSettings.runbookBase} (o11y `d799594a` for the deadlock ones). */
export const RUNBOOKS = {
    restarts: "pipeline-service/sre/core-pipeline-controller-repeated-restarts.md",
    deadlocks: "pipeline-service/sre/tekton-pipeline-related-deadlocks.md",
    resultsErrors: "pipeline-service/sre/tekton-result-high-errors.md",
    leases: "o11y/alert-rule-PipelinesControllerLeasesNotDistributed.md",
    faq: "pipeline-service/faq.md",
} as const;

export interface AlertingRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}
export interface RecordingRule {
    record: string;
    expr: string;
}
export interface RuleGroup {
    name: string;
    interval: string;
    rules: (AlertingRule | RecordingRule)[];
}

const SLO = { severity: "critical", slo: "true" } as const;
const SOURCE = "{{ $labels.source_cluster }}";

function runbook(s: AlertSettings, path: string): string {
    return `${s.runbookBase.replace(/\/+$/, "")}/${path}`;
}

/** An SLO-style alert of `pipeline_alerts`: annotations summary, description, alert_team_handle, team, runbook_url. */
function pipelineAlert(
    s: AlertSettings,
    alert: string,
    expr: string,
    forDuration: string,
    ruleLabels: Record<string, string>,
    summary: string,
    description: string,
    runbookPath: string,
): AlertingRule {
    return {
        alert,
        expr,
        for: forDuration,
        labels: { ...ruleLabels },
        annotations: {
            summary,
            description,
            alert_team_handle: s.teamHandle,
            team: s.team,
            runbook_url: runbook(s, runbookPath),
        },
    };
}

const RESULTS_GRPC = "grpc_server_handled_total{job='tekton-results-api', grpc_service=~'tekton.results.*'";
const LEASE = "tekton-pipelines-controller.github.com.tektoncd.pipeline.pkg.reconciler";

/**
 * The 14 alerts of o11y `prometheus.pipeline_alerts.yaml@0add2941`, group `pipeline_alerts`: expressions,
 * windows (`[2m]`, `[5m]` for restarts and Results, `[10m]` for the success rate), `for`, labels and annotations as
 * upstream has them.
 */
export function buildPipelineAlertRules(s: AlertSettings = DEFAULT_ALERT_SETTINGS): AlertingRule[] {
    const notDistributed = (reconciler: string, what: string): AlertingRule =>
        pipelineAlert(
            s,
            `PipelinesController${what}RecLeasesNotDistributed`,
            `(count by (source_cluster) (count by (lease_holder, source_cluster) (kube_lease_owner{lease=~"${LEASE}.${reconciler}.reconciler..*", lease_holder!=""}))) <= 1`,
            "5m",
            { severity: "warning" },
            `Tekton Pipelines controller ${leaseKind(what)} reconciler leases not distributed across more than one pod`,
            `Tekton Pipelines controller ${leaseKind(what)} reconciler leases not distributed across more than one pod on cluster ${SOURCE}.`,
            RUNBOOKS.leases,
        );
    const holderMissing = (reconciler: string, what: string): AlertingRule =>
        pipelineAlert(
            s,
            `PipelinesController${what}RecLeasesHolderMissing`,
            `kube_lease_owner{lease=~"${LEASE}.${reconciler}.reconciler..*", lease_holder=""}`,
            "5m",
            { severity: "warning" },
            `Tekton Pipelines controller ${leaseKind(what)} reconciler leases holder is missing`,
            `Tekton Pipelines controller ${leaseKind(what)} reconciler leases lease_holder is empty on cluster ${SOURCE}.`,
            RUNBOOKS.leases,
        );
    return [
        pipelineAlert(
            s,
            "PipelinePodsRepeatedRestarts",
            'sum by (source_cluster) (increase(kube_pod_container_status_restarts_total{namespace="openshift-pipelines", pod=~"tekton-.*|pipelines-as-code-.*"}[5m])) > 0',
            "5m",
            SLO,
            "Tekton controller is rapidly restarting.",
            `Tekton controllers on cluster ${SOURCE} have restarted {{ $value }} times recently.`,
            RUNBOOKS.restarts,
        ),
        pipelineAlert(
            s,
            "PipelineControllerDeadlock",
            "sum by (source_cluster) (increase(pipelinerun_kickoff_not_attempted_count[2m])) > 0",
            "75m",
            SLO,
            "Tekton pipeline controller appears to have stopped processing active pipelineruns which have not been started yet.",
            `Tekton pipeline controller on cluster ${SOURCE} has appeared deadlocked on {{ $value }} pipelineruns.`,
            RUNBOOKS.deadlocks,
        ),
        pipelineAlert(
            s,
            "TaskControllerDeadlock",
            "sum by (source_cluster) (increase(taskrun_pod_create_not_attempted_or_pending_count[2m])) - " +
                "sum by (source_cluster) (increase(tekton_pipelines_controller_running_taskruns_throttled_by_quota[2m])) - " +
                "sum by (source_cluster) (increase(tekton_pipelines_controller_running_taskruns_throttled_by_node[2m]))> 0",
            "75m",
            SLO,
            "Tekton taskrun controller appears to have stopped processing active taskruns whose underlying Pod have not failed Kubernetes screening.",
            `Tekton taskrun controller on cluster ${SOURCE} has appeared deadlocked on {{ $value }} taskruns.`,
            RUNBOOKS.deadlocks,
        ),
        pipelineAlert(
            s,
            "ResolverControllerDeadlock",
            "sum by (source_cluster) (increase(pending_resolutionrequest_count[2m])) > 0",
            "75m",
            SLO,
            "Tekton resolver controller appears to have stopped processing active resolutionrequests which have not been started yet.",
            `Tekton resolver controller on cluster ${SOURCE} has appeared deadlocked on {{ $value }} resolutionrequests.`,
            RUNBOOKS.deadlocks,
        ),
        pipelineAlert(
            s,
            "ChainsControllerDeadlock",
            "sum by (source_cluster) (increase(watcher_workqueue_depth{container='tekton-chains-controller',app='tekton-chains-controller'}[2m])) > 50",
            "75m",
            SLO,
            "Tekton chains controller appears to have stopped processing active pipelineruns.",
            `Tekton chains controller on cluster ${SOURCE} has appeared deadlocked on {{ $value }} pipelinerun events.`,
            RUNBOOKS.deadlocks,
        ),
        pipelineAlert(
            s,
            "ResultsDeadlock",
            "sum by (source_cluster) (increase(tekton_pipelines_controller_pipelinerun_count[5m])) > 0\nand\n" +
                `sum by (source_cluster) (increase(${RESULTS_GRPC}}[5m])) == 0`,
            "75m",
            SLO,
            "Tekton results appears to have stopped processing active pipelineruns.",
            `Tekton results on cluster ${SOURCE} appears deadlocked on pipelinerun events.`,
            RUNBOOKS.deadlocks,
        ),
        pipelineAlert(
            s,
            "ResultsSuccessRateTooManyErrors",
            `sum by (source_cluster) (increase(${RESULTS_GRPC}, grpc_code='OK'}[10m]))\n/\n` +
                `sum by (source_cluster) (increase(${RESULTS_GRPC}}[10m]))\n< 0.75\nand\n` +
                `sum by (source_cluster) (increase(${RESULTS_GRPC}}[10m])) > 0`,
            "75m",
            SLO,
            "Tekton results is experiencing too many API errors.",
            `Tekton results on cluster ${SOURCE} only has an API success rate of {{ $value | humanizePercentage }}.`,
            RUNBOOKS.resultsErrors,
        ),
        pipelineAlert(
            s,
            "PACControllerDeadlock",
            "sum by (source_cluster) (increase(pac_watcher_work_queue_depth[2m])) > 50",
            "75m",
            SLO,
            "Tekton PAC controller appears to have stopped processing active pipelineruns.",
            `Tekton PAC controller on cluster ${SOURCE} has appeared deadlocked on {{ $value }} pipelinerun events.`,
            RUNBOOKS.deadlocks,
        ),
        notDistributed("pipelinerun", "PipelineRun"),
        notDistributed("taskrun", "TaskRun"),
        notDistributed("resolutionrequest", "ResReq"),
        holderMissing("pipelinerun", "PipelineRun"),
        holderMissing("taskrun", "TaskRun"),
        holderMissing("resolutionrequest", "ResReq"),
    ];
}

function leaseKind(what: string): string {
    return what === "ResReq" ? "ResolutionRequest" : what;
}

/**
 * The availability alerts of o11y `prometheus.pipeline_alerts.yaml@935d72c8`: one group per service, `konflux_up`
 * `!= 1` for 5m. `slo` is set on the SLO services only; non-SLO alerts route by `alert_routing_key`, SLO alerts by
 * `alert_team_handle` (o11y docs/ALERTS.md@935d72c8).
 */
export const AVAILABILITY_ALERTS: readonly {
    group: string;
    alert: string;
    namespace: string;
    service: string;
    severity: string;
    slo: boolean;
    component: string;
    summary: string;
    description: string;
}[] = [
    {
        group: "pipeline-metrics-exporter-availability",
        alert: "PipelineMetricsExporterDown",
        namespace: PIPELINES_NAMESPACE,
        service: EXPORTER_NAME,
        severity: "high",
        slo: false,
        component: "tekton-pipelines",
        summary: "Pipeline metrics exporter is down",
        description: "The Pipelines Metrics Exporter pod has been down",
    },
    {
        group: "pipelines-as-code-controller-availability",
        alert: "PipelinesAsCodeControllDown",
        namespace: PIPELINES_NAMESPACE,
        service: "pipelines-as-code-controller",
        severity: "critical",
        slo: true,
        component: "pipelines-as-code",
        summary: "Pipelines as Code controller is down",
        description: "The Pipelines as Code controller pod has been down",
    },
    {
        group: "pipelines-as-code-watcher-availability",
        alert: "PipelinesAsCodeWatcherDown",
        namespace: PIPELINES_NAMESPACE,
        service: "pipelines-as-code-watcher",
        severity: "critical",
        slo: true,
        component: "pipelines-as-code",
        summary: "Pipelines as Code watcher is down",
        description: "The Pipelines as Code watcher pod has been down",
    },
    {
        group: "pipelines-as-code-webhook-availability",
        alert: "PipelinesAsCodeWebhookDown",
        namespace: PIPELINES_NAMESPACE,
        service: "pipelines-as-code-webhook",
        severity: "high",
        slo: false,
        component: "pipelines-as-code",
        summary: "Pipelines as Code webhook is down",
        description: "The Pipelines as Code webhook pod has been down",
    },
    {
        group: "tekton-chains-controller-availability",
        alert: "TektonChainsControllerDown",
        namespace: PIPELINES_NAMESPACE,
        service: "tekton-chains-controller",
        severity: "critical",
        slo: true,
        component: "tekton-chains",
        summary: "Tekton Chians controller is down",
        description: "The Tekton Chains controller pod has been down",
    },
    {
        group: "tekton-operator-proxy-webhook-availability",
        alert: "TektonOperatorProxyWebhookDown",
        namespace: PIPELINES_NAMESPACE,
        service: "tekton-operator-proxy-webhook",
        severity: "critical",
        slo: true,
        component: "tekton-operator",
        summary: "Tekton Operator Proxy Webhook is down",
        description: "The Tekton Operator Proxy webhook pod has been down",
    },
    {
        group: "tekton-pipelines-webhook-availability",
        alert: "TektonPipelinesWebhookDown",
        namespace: PIPELINES_NAMESPACE,
        service: "tekton-pipelines-webhook",
        severity: "critical",
        slo: true,
        component: "tekton-pipelines",
        summary: "TektonPipelinesWebhook is down",
        description: "The Tekton Pipelines webhook pod has been down",
    },
    {
        group: "tkn-cli-serve-availability",
        alert: "TektonCLIServeDown",
        namespace: PIPELINES_NAMESPACE,
        service: "tkn-cli-serve",
        severity: "warning",
        slo: false,
        component: "tekton-pipelines",
        summary: "Tekton CLI Serve is down",
        description: "The Tekton CLI Serve controller pod has been down",
    },
    {
        group: "tekton-results-api-availability",
        alert: "TektonResultsAPIReaderDown",
        namespace: "tekton-results",
        service: "tekton-results-api",
        severity: "critical",
        slo: true,
        component: "tekton-results",
        summary: "Tekton Results API reader is down",
        description: "The Tekton Results API pod (reader instance) has been down",
    },
    {
        group: "tekton-results-api-for-watcher-availability",
        alert: "TektonResultsAPIDown",
        namespace: "tekton-results",
        service: "tekton-results-api-for-watcher",
        severity: "critical",
        slo: true,
        component: "tekton-results",
        summary: "Tekton Results API writer is down",
        description: "The Tekton Results API pod (writer instance) has been down",
    },
    {
        group: "tekton-results-watcher-availability",
        alert: "TektonResultsWatcherDown",
        namespace: "tekton-results",
        service: "tekton-results-watcher",
        severity: "critical",
        slo: true,
        component: "tekton-results",
        summary: "Tekton Results watcher is down",
        description: "The Tekton Results watcher pod has been down",
    },
    {
        group: "tekton-pipelines-controller-availability",
        alert: "TektonPipelinesControllerDown",
        namespace: PIPELINES_NAMESPACE,
        service: "tekton-pipelines-controller",
        severity: "critical",
        slo: true,
        component: "tekton-pipelines",
        summary: "Tekton Pipelines Controller is down",
        description: "Tekton Pipelines Controller pod has been down",
    },
    {
        group: "tekton-pipelines-remote-resolvers-availability",
        alert: "TektonPipelinesRemoteResolversDown",
        namespace: PIPELINES_NAMESPACE,
        service: "tekton-pipelines-remote-resolvers",
        severity: "critical",
        slo: true,
        component: "tekton-pipelines",
        summary: "Tekton Pipelines Remote Resolvers is down",
        description: "Tekton Pipelines Remote Resolvers pod has been down",
    },
];

/** One group per {@link AVAILABILITY_ALERTS} entry, interval 1m, as o11y has them. */
export function buildAvailabilityAlertGroups(s: AlertSettings = DEFAULT_ALERT_SETTINGS): RuleGroup[] {
    return AVAILABILITY_ALERTS.map((a): RuleGroup => ({
        name: a.group,
        interval: "1m",
        rules: [
            {
                alert: a.alert,
                expr: `konflux_up{namespace="${a.namespace}", check="replicas-available", service="${a.service}"} != 1`,
                for: "5m",
                labels: { severity: a.severity, ...(a.slo ? { slo: "true" } : {}), component: a.component },
                annotations: {
                    summary: `${a.summary} in cluster ${SOURCE}`,
                    description: `${a.description} for 5min in cluster ${SOURCE}`,
                    [a.slo ? "alert_team_handle" : "alert_routing_key"]: s.teamHandle,
                    team: s.team,
                    runbook_url: runbook(s, RUNBOOKS.faq),
                },
            },
        ],
    }));
}

/**
 * The `konflux_up` recording rules of o11y `rhobs/recording/pipelines_availability_recording_rules.yaml@935d72c8`:
 * available / desired replicas (floored, clamped to 1) of every Deployment and StatefulSet in openshift-pipelines and
 * tekton-results, labelled `check="replicas-available"` and `service=<name>`; the events controller and the Results
 * retention agent (scaled to zero upstream) are left out. Upstream records the Deployment and the StatefulSet
 * expression as two rules of the same name; here they are one rule joined with `or` (their series are disjoint: one
 * carries `deployment`, the other `statefulset`), because `promtool check rules` flags two recording rules of one
 * name and labels as a duplicate (lint `duplicate-rules`, on by default).
 */
export function buildAvailabilityRecordingGroup(): RuleGroup {
    const ns = 'namespace=~"openshift-pipelines|tekton-results"';
    const ratio = (available: string, desired: string, extra: string, kind: string) =>
        `clamp_max(label_replace(label_replace(floor(${available}{${ns}${extra}} / clamp_min(${desired}{${ns}}, 1)), ` +
        `"check", "replicas-available", "", ""), "service", "$1", "${kind}", "(.*)"), 1)`;
    return {
        name: "pipelines_availability",
        interval: "1m",
        rules: [
            {
                record: "konflux_up",
                expr:
                    `${ratio(
                        "kube_deployment_status_replicas_available",
                        "kube_deployment_spec_replicas",
                        ', deployment!~"tekton-events-controller|tekton-results-retention-policy-agent"',
                        "deployment",
                    )}\nor\n` +
                    ratio("kube_statefulset_status_replicas_available", "kube_statefulset_replicas", "", "statefulset"),
            },
        ],
    };
}

/** Every rule group of the PrometheusRule: the recording rules, the availability alerts, then `pipeline_alerts`. */
export function buildAlertGroups(s: AlertSettings = DEFAULT_ALERT_SETTINGS): RuleGroup[] {
    return [
        buildAvailabilityRecordingGroup(),
        ...buildAvailabilityAlertGroups(s),
        { name: "pipeline_alerts", interval: "1m", rules: buildPipelineAlertRules(s) },
    ];
}

/** PrometheusRule `pipeline-service-alerts` (label `tenant: rhtap`, as o11y's `rhtap-pipeline-alerting`). */
export function buildAlerts(s: AlertSettings = DEFAULT_ALERT_SETTINGS): CustomResourceSpec {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
            name: "pipeline-service-alerts",
            namespace: PIPELINES_NAMESPACE,
            labels: labels({ tenant: "rhtap" }),
        },
        spec: { groups: buildAlertGroups(s) },
    };
}

export interface MetricsExporterArgs {
    provider: k8s.Provider;
    image: string;
    readiness: Readiness;
    /** Routing and runbook values of the alerts; default {@link DEFAULT_ALERT_SETTINGS} (upstream's). */
    alerts?: AlertSettings;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class MetricsExporter extends pulumi.ComponentResource {
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly clusterRole: k8s.rbac.v1.ClusterRole;
    /** Binds {@link EXPORTER_READER_ROLE} to the exporter's ServiceAccount. */
    public readonly clusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding;
    public readonly service: k8s.core.v1.Service;
    public readonly serviceMonitor: k8s.apiextensions.CustomResource;
    public readonly alerts: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MetricsExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:monitoring:MetricsExporter", name, {}, opts);
        const { provider, readiness } = args;
        const child = { parent: this, provider, dependsOn: args.dependsOn };
        const after = (...rs: pulumi.Resource[]) => ({ ...child, dependsOn: [...(args.dependsOn ?? []), ...rs] });

        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, buildExporterServiceAccount(), child);
        this.clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-reader`, buildExporterClusterRole(), child);
        this.clusterRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-reader-binding`,
            buildExporterClusterRoleBinding(),
            after(sa, this.clusterRole),
        );
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            buildExporterDeployment(args.image, readiness),
            after(sa),
        );
        this.service = new k8s.core.v1.Service(`${name}-service`, buildExporterService(readiness), child);
        this.serviceMonitor = customResource(`${name}-servicemonitor`, buildExporterServiceMonitor(), child);
        this.alerts = customResource(`${name}-alerts`, buildAlerts(args.alerts), child);

        this.registerOutputs({
            deployment: this.deployment,
            clusterRole: this.clusterRole,
            clusterRoleBinding: this.clusterRoleBinding,
            service: this.service,
            serviceMonitor: this.serviceMonitor,
            alerts: this.alerts,
        });
    }
}
