import test from "ava";
import { find, installMocks, promiseOf, registeredOutputs, settle } from "../../helpers/mocks.js";
import { NO_WAIT, READY, assertK8sChildren, childrenOf, defaultSettings, outputKeys } from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const m = await import("../../../components/metricsExporter.js");
const {
    MetricsExporter,
    EXPORTER_NAME,
    EXPORTER_PORT,
    EXPORTER_RESOURCES,
    EXPORTER_RULES,
    EXPORTER_SA,
    ALERT_TEAM_HANDLE,
    RUNBOOK_BASE,
    AVAILABILITY_ALERTS,
    buildAlerts,
    buildAlertGroups,
    buildPipelineAlertRules,
    buildAvailabilityAlertGroups,
    buildAvailabilityRecordingGroup,
    buildExporterDeployment,
    buildExporterService,
    buildExporterServiceAccount,
    buildExporterClusterRole,
    buildExporterClusterRoleBinding,
    buildExporterServiceMonitor,
} = m;
type AlertingRule = import("../../../components/metricsExporter.js").AlertingRule;

const image = defaultSettings().metricsExporter.image;
const provider = new k8s.Provider("metrics-k8s", { clusterIdentifier: "metrics" });
const ns = new k8s.core.v1.Namespace("metrics-ns", { metadata: { name: "openshift-pipelines" } }, { provider });
const exp = new MetricsExporter("c1-metrics", { provider, image, readiness: READY, dependsOn: [ns] });
const custom = { teamHandle: "<!subteam^S0TEST>", team: "platform", runbookBase: "https://sop.example.com/runbooks/" };
const quiet = new MetricsExporter("c2-metrics", { provider, image, readiness: NO_WAIT, alerts: custom });
const [urn, providerUrnValue, nsUrn] = await Promise.all([exp.urn, provider.urn, ns.urn].map((o) => promiseOf(o)));
await settle();

const alertRules = (groups: { rules: unknown[] }[]) =>
    groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => typeof (r as AlertingRule).alert === "string");

test("type token; children under the component on the explicit provider, all after the namespace", (t) => {
    t.false(find("pipeline-service:monitoring:MetricsExporter", "c1-metrics").custom);
    const kube = assertK8sChildren(t, urn, providerUrnValue);
    t.deepEqual(kube.map((c) => c.name).sort(), [
        "c1-metrics-alerts",
        "c1-metrics-deployment",
        "c1-metrics-reader",
        "c1-metrics-reader-binding",
        "c1-metrics-sa",
        "c1-metrics-service",
        "c1-metrics-servicemonitor",
    ]);
    t.true(childrenOf(urn).every((c) => c.parent === urn));
    for (const c of kube) t.true(c.dependencies.includes(nsUrn), `${c.name} waits for the namespace`);
});

test("the component registers exactly what the pure builders return", (t) => {
    const pairs: [string, string, unknown][] = [
        ["kubernetes:core/v1:ServiceAccount", "c1-metrics-sa", buildExporterServiceAccount()],
        ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "c1-metrics-reader", buildExporterClusterRole()],
        [
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
            "c1-metrics-reader-binding",
            buildExporterClusterRoleBinding(),
        ],
        ["kubernetes:apps/v1:Deployment", "c1-metrics-deployment", buildExporterDeployment(image, READY)],
        ["kubernetes:core/v1:Service", "c1-metrics-service", buildExporterService(READY)],
    ];
    for (const [type, name, built] of pairs) t.like(find(type, name).inputs, built as Record<string, unknown>, name);
    t.deepEqual(
        find("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "c1-metrics-servicemonitor").inputs.spec,
        buildExporterServiceMonitor().spec,
    );
    t.deepEqual(
        find("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "c1-metrics-alerts").inputs.spec,
        buildAlerts().spec,
    );
    // Pure: the same inputs give equal, independent objects.
    t.deepEqual(buildAlerts(), buildAlerts());
    t.not(buildAlertGroups()[0], buildAlertGroups()[0]);
    t.deepEqual(buildExporterDeployment(image, NO_WAIT), buildExporterDeployment(image, NO_WAIT));
});

test("Deployment: pinned image, metrics port, restricted securityContext, requests and limits, after its ServiceAccount", async (t) => {
    const d = find("kubernetes:apps/v1:Deployment", "c1-metrics-deployment");
    t.like(d.inputs.metadata, { name: EXPORTER_NAME, namespace: "openshift-pipelines" });
    t.is(d.inputs.metadata.annotations["pulumi.com/timeoutSeconds"], "600");
    const spec = d.inputs.spec.template.spec;
    t.is(spec.serviceAccountName, EXPORTER_SA);
    t.is(spec.containers.length, 1);
    const c = spec.containers[0];
    t.is(c.image, image);
    t.deepEqual(c.ports, [{ name: "metrics", containerPort: EXPORTER_PORT }]);
    t.deepEqual(c.resources, EXPORTER_RESOURCES);
    t.deepEqual(d.inputs.spec.selector.matchLabels, { app: EXPORTER_NAME });
    t.is(
        find("kubernetes:apps/v1:Deployment", "c2-metrics-deployment").inputs.metadata.annotations[
            "pulumi.com/skipAwait"
        ],
        "true",
    );
    const saUrn = find("kubernetes:core/v1:ServiceAccount", "c1-metrics-sa").urn;
    t.true(d.dependencies.includes(saUrn), "the Deployment waits for its ServiceAccount");
});

test("RBAC: the reader ClusterRole bound to the exporter SA, after both", (t) => {
    const cr = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "c1-metrics-reader");
    t.is(cr.inputs.metadata.name, "pipeline-service-exporter-reader");
    t.deepEqual(cr.inputs.rules, EXPORTER_RULES);
    const crb = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "c1-metrics-reader-binding");
    t.is(crb.inputs.metadata.name, "pipeline-service-exporter-reader-binding");
    t.is(crb.inputs.roleRef.name, "pipeline-service-exporter-reader");
    t.deepEqual(crb.inputs.subjects, [{ kind: "ServiceAccount", name: EXPORTER_SA, namespace: "openshift-pipelines" }]);
    t.true(crb.dependencies.includes(cr.urn));
    t.true(crb.dependencies.includes(find("kubernetes:core/v1:ServiceAccount", "c1-metrics-sa").urn));
});

test("Service and the ServiceMonitor next to the exporter", (t) => {
    const svc = find("kubernetes:core/v1:Service", "c1-metrics-service");
    t.deepEqual(svc.inputs.spec.selector, { app: EXPORTER_NAME });
    t.deepEqual(svc.inputs.spec.ports, [{ name: "metrics", port: EXPORTER_PORT, targetPort: EXPORTER_PORT }]);
    const sm = find("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "c1-metrics-servicemonitor");
    t.like(sm.inputs.metadata, { name: "pipeline-service", namespace: "openshift-pipelines" });
    t.deepEqual(sm.inputs.spec.selector, { matchLabels: { app: EXPORTER_NAME } });
    t.is(sm.inputs.spec.endpoints[0].port, "metrics");
});

/** o11y prometheus.pipeline_alerts.yaml@0add2941, group pipeline_alerts: name, `for`, increase windows, severity, slo. */
const PIPELINE_ALERTS: [string, string, string[], string, boolean][] = [
    ["PipelinePodsRepeatedRestarts", "5m", ["5m"], "critical", true],
    ["PipelineControllerDeadlock", "75m", ["2m"], "critical", true],
    ["TaskControllerDeadlock", "75m", ["2m", "2m", "2m"], "critical", true],
    ["ResolverControllerDeadlock", "75m", ["2m"], "critical", true],
    ["ChainsControllerDeadlock", "75m", ["2m"], "critical", true],
    ["ResultsDeadlock", "75m", ["5m", "5m"], "critical", true],
    ["ResultsSuccessRateTooManyErrors", "75m", ["10m", "10m", "10m"], "critical", true],
    ["PACControllerDeadlock", "75m", ["2m"], "critical", true],
    ["PipelinesControllerPipelineRunRecLeasesNotDistributed", "5m", [], "warning", false],
    ["PipelinesControllerTaskRunRecLeasesNotDistributed", "5m", [], "warning", false],
    ["PipelinesControllerResReqRecLeasesNotDistributed", "5m", [], "warning", false],
    ["PipelinesControllerPipelineRunRecLeasesHolderMissing", "5m", [], "warning", false],
    ["PipelinesControllerTaskRunRecLeasesHolderMissing", "5m", [], "warning", false],
    ["PipelinesControllerResReqRecLeasesHolderMissing", "5m", [], "warning", false],
];

test("pipeline_alerts: the 14 o11y alerts with their windows, for, severity and slo label", (t) => {
    const rules = buildPipelineAlertRules();
    t.deepEqual(
        rules.map((r) => r.alert),
        PIPELINE_ALERTS.map((a) => a[0]),
    );
    for (const [name, forDuration, windows, severity, slo] of PIPELINE_ALERTS) {
        const r = rules.find((x) => x.alert === name)!;
        t.is(r.for, forDuration, `${name} for`);
        t.deepEqual(
            [...r.expr.matchAll(/increase\([^\[]*\[([0-9]+m)\]\)/g)].map((x) => x[1]),
            windows,
            `${name} increase windows`,
        );
        if (windows.length > 0) {
            t.is(
                (r.expr.match(/sum by \(source_cluster\) \(increase\(/g) ?? []).length,
                windows.length,
                `${name}: every increase is summed by source_cluster`,
            );
        } else {
            t.regex(
                r.expr,
                /kube_lease_owner\{lease=~"tekton-pipelines-controller\.github\.com\.tektoncd\.pipeline\.pkg\.reconciler\./,
            );
        }
        t.deepEqual(r.labels, slo ? { severity, slo: "true" } : { severity }, `${name} labels`);
    }
    const group = buildAlertGroups().find((g) => g.name === "pipeline_alerts")!;
    t.is(group.interval, "1m");
    t.deepEqual(group.rules, rules);
});

test("every alert: summary, description, team, the team handle and an https runbook_url under the SOP base", (t) => {
    const all = alertRules(buildAlertGroups());
    t.is(all.length, 14 + AVAILABILITY_ALERTS.length);
    t.is(new Set(all.map((r) => r.alert)).size, all.length, "alert names are unique");
    for (const r of all) {
        const a = r.annotations;
        t.truthy(a.summary, `${r.alert} summary`);
        t.regex(a.description ?? "", /\{\{ \$labels\.source_cluster \}\}/, `${r.alert} description names the cluster`);
        t.is(a.team, "pipelines");
        t.is(a.alert_team_handle ?? a.alert_routing_key, ALERT_TEAM_HANDLE, `${r.alert} routes to the team`);
        if (r.labels.slo === "true") {
            t.is(
                a.alert_team_handle,
                ALERT_TEAM_HANDLE,
                `${r.alert}: SLO alerts page the team handle directly (o11y docs/ALERTS.md)`,
            );
            t.false("alert_routing_key" in a);
        }
        t.true(a.runbook_url!.startsWith(`${RUNBOOK_BASE}/`), `${r.alert} runbook under ${RUNBOOK_BASE}`);
        t.regex(a.runbook_url!, /^https:\/\/[^/]+\/.+\.md$/);
        if (r.labels.slo === "true")
            t.is(r.labels.severity, "critical", `${r.alert}: slo alerts are critical (o11y docs/ALERTS.md)`);
    }
    const restarts = all.find((r) => r.alert === "PipelinePodsRepeatedRestarts")!;
    t.is(
        restarts.annotations.runbook_url,
        `${RUNBOOK_BASE}/pipeline-service/sre/core-pipeline-controller-repeated-restarts.md`,
    );
    t.is(
        all.find((r) => r.alert === "PipelineControllerDeadlock")!.annotations.runbook_url,
        `${RUNBOOK_BASE}/pipeline-service/sre/tekton-pipeline-related-deadlocks.md`,
    );
});

test("availability: one group per service on konflux_up != 1 for 5m, fed by the konflux_up recording rules", (t) => {
    const groups = buildAvailabilityAlertGroups();
    t.is(groups.length, 13);
    t.deepEqual(
        groups.map((g) => g.name),
        AVAILABILITY_ALERTS.map((a) => a.group),
    );
    for (const g of groups) {
        t.is(g.interval, "1m");
        t.is(g.rules.length, 1);
        const r = g.rules[0] as AlertingRule;
        const a = AVAILABILITY_ALERTS.find((x) => x.alert === r.alert)!;
        t.is(r.expr, `konflux_up{namespace="${a.namespace}", check="replicas-available", service="${a.service}"} != 1`);
        t.is(r.for, "5m");
        t.is(r.labels.component, a.component);
        t.is("slo" in r.labels, a.slo, `${r.alert}: slo label only on SLO services`);
        if (a.slo) t.is(r.labels.slo, "true");
    }
    t.deepEqual(
        groups
            .filter((g) => (g.rules[0] as AlertingRule).labels.slo !== "true")
            .map((g) => (g.rules[0] as AlertingRule).alert),
        ["PipelineMetricsExporterDown", "PipelinesAsCodeWebhookDown", "TektonCLIServeDown"],
    );
    const rec = buildAvailabilityRecordingGroup();
    t.deepEqual(
        rec.rules.map((r) => "record" in r && r.record),
        ["konflux_up"],
        "one recording rule, so promtool's duplicate-rules lint passes",
    );
    const [deployments, statefulsets] = rec.rules[0]!.expr.split("\nor\n");
    t.regex(
        deployments!,
        /kube_deployment_status_replicas_available\{namespace=~"openshift-pipelines\|tekton-results", deployment!~"tekton-events-controller\|tekton-results-retention-policy-agent"\}/,
    );
    t.regex(deployments!, /"service", "\$1", "deployment", "\(\.\*\)"/);
    t.regex(
        statefulsets!,
        /kube_statefulset_status_replicas_available\{namespace=~"openshift-pipelines\|tekton-results"\} \/ clamp_min\(kube_statefulset_replicas/,
    );
    t.regex(statefulsets!, /"service", "\$1", "statefulset", "\(\.\*\)"/);
    t.is(buildAlertGroups()[0]!.name, "pipelines_availability", "recording rules first, so the alerts read them");
});

test("alert settings: team handle, team and runbook base reach every alert", (t) => {
    const pr = find("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "c2-metrics-alerts");
    t.deepEqual(pr.inputs.spec, buildAlerts(custom).spec);
    const all = alertRules(pr.inputs.spec.groups);
    t.is(all.length, 27);
    for (const r of all) {
        t.is(r.annotations.alert_team_handle ?? r.annotations.alert_routing_key, "<!subteam^S0TEST>");
        t.is(r.annotations.team, "platform");
        t.regex(
            r.annotations.runbook_url!,
            /^https:\/\/sop\.example\.com\/runbooks\/[a-z0-9]/,
            "one slash between base and path",
        );
    }
});

test("PrometheusRule metadata", (t) => {
    const pr = find("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "c1-metrics-alerts");
    t.like(pr.inputs.metadata, {
        name: "pipeline-service-alerts",
        namespace: "openshift-pipelines",
        labels: { tenant: "rhtap" },
    });
    t.is(pr.inputs.metadata.annotations["argocd.argoproj.io/sync-options"], "SkipDryRunOnMissingResource=true");
});

test("registerOutputs", async (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(urn)), [
        "alerts",
        "clusterRole",
        "clusterRoleBinding",
        "deployment",
        "service",
        "serviceMonitor",
    ]);
    t.truthy(await promiseOf(quiet.urn));
});
