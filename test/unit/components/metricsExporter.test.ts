import test from "ava";
import { find, installMocks, promiseOf, registeredOutputs, settle } from "../helpers/mocks.js";
import { NO_WAIT, READY, assertK8sChildren, childrenOf, defaultSettings, outputKeys } from "../helpers/fixtures.js";

await installMocks("unit");
const k8s = await import("@pulumi/kubernetes");
const m = await import("../../../components/metricsExporter.js");
const { MetricsExporter, EXPORTER_NAME, EXPORTER_PORT, EXPORTER_RESOURCES, EXPORTER_RULES, EXPORTER_SA, buildAlerts } = m;

const image = defaultSettings().metricsExporter.image;
const provider = new k8s.Provider("metrics-k8s", { clusterIdentifier: "metrics" });
const ns = new k8s.core.v1.Namespace("metrics-ns", { metadata: { name: "openshift-pipelines" } }, { provider });
const exp = new MetricsExporter("c1-metrics", { provider, image, readiness: READY, dependsOn: [ns] });
const quiet = new MetricsExporter("c2-metrics", { provider, image, readiness: NO_WAIT });
const [urn, providerUrnValue, nsUrn] = await Promise.all([exp.urn, provider.urn, ns.urn].map((o) => promiseOf(o)));
await settle();

test("type token; children under the component on the explicit provider, all after the namespace", (t) => {
    t.false(find("pipeline-service:monitoring:MetricsExporter", "c1-metrics").custom);
    const kube = assertK8sChildren(t, urn, providerUrnValue);
    t.deepEqual(kube.map((c) => c.name).sort(), [
        "c1-metrics-alerts", "c1-metrics-deployment", "c1-metrics-reader", "c1-metrics-reader-binding", "c1-metrics-sa", "c1-metrics-service", "c1-metrics-servicemonitor",
    ]);
    t.true(childrenOf(urn).every((c) => c.parent === urn));
    for (const c of kube) t.true(c.dependencies.includes(nsUrn), `${c.name} waits for the namespace`);
});

test("Deployment: pinned image, metrics port, restricted securityContext, requests and limits", (t) => {
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
    t.is(find("kubernetes:apps/v1:Deployment", "c2-metrics-deployment").inputs.metadata.annotations["pulumi.com/skipAwait"], "true");
});

test("RBAC: the reader ClusterRole bound to the exporter SA", (t) => {
    const cr = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "c1-metrics-reader");
    t.is(cr.inputs.metadata.name, "pipeline-service-exporter-reader");
    t.deepEqual(cr.inputs.rules, EXPORTER_RULES);
    const crb = find("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "c1-metrics-reader-binding");
    t.is(crb.inputs.roleRef.name, "pipeline-service-exporter-reader");
    t.deepEqual(crb.inputs.subjects, [{ kind: "ServiceAccount", name: EXPORTER_SA, namespace: "openshift-pipelines" }]);
});

test("Service, ServiceMonitor next to the exporter, and alerts", (t) => {
    const svc = find("kubernetes:core/v1:Service", "c1-metrics-service");
    t.deepEqual(svc.inputs.spec.selector, { app: EXPORTER_NAME });
    t.deepEqual(svc.inputs.spec.ports, [{ name: "metrics", port: EXPORTER_PORT, targetPort: EXPORTER_PORT }]);
    const sm = find("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "c1-metrics-servicemonitor");
    t.like(sm.inputs.metadata, { name: "pipeline-service", namespace: "openshift-pipelines" });
    t.deepEqual(sm.inputs.spec.selector, { matchLabels: { app: EXPORTER_NAME } });
    t.is(sm.inputs.spec.endpoints[0].port, "metrics");
    const pr = find("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "c1-metrics-alerts");
    t.deepEqual(pr.inputs.spec.groups[0].rules.map((r: { alert: string }) => r.alert),
        ["PipelinePodsRepeatedRestarts", "PipelineControllerDeadlock", "ResolverControllerDeadlock"]);
    t.deepEqual(pr.inputs.spec, buildAlerts().spec);
});

test("registerOutputs", async (t) => {
    t.deepEqual(outputKeys(registeredOutputs.get(urn)), ["alerts", "clusterRole", "deployment", "service", "serviceMonitor"]);
    t.truthy(await promiseOf(quiet.urn));
});
