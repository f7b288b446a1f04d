/**
 * Tekton Results on the local stack references only objects that exist (issue 9 §3): after a real `pulumi up` on
 * the local control plane, every Secret and ConfigMap that the TektonConfig's `spec.result` makes the operator's
 * Results API and watcher read, and every Service and Secret the Results objects the stack deploys point at, either
 * exists on the cluster or is the target of an ExternalSecret the stack deployed whose ClusterSecretStore exists.
 *
 * The one reference that cannot exist here is the operator's own Service `tekton-results-api-service` (the Route's
 * backend): the operator creates it, and no operator runs on the local control plane (README "Local control
 * plane"). The test names it explicitly and checks the Route targets exactly that name and port.
 */
import test from "ava";
import { expectOk, Project } from "./harness.js";

let p: Project;
const CLUSTERS = ["compute-1", "compute-2"];
const NS = "openshift-pipelines";
/** Created by the operator from TektonConfig spec.result (tektoncd/operator pkg/reconciler/openshift/tektonresult/extension.go@v0.81.0). */
const OPERATOR_CREATED_SERVICES = new Set(["tekton-results-api-service"]);

test.before(async () => {
    p = await Project.create("e2e-results-refs");
    await p.clusterUp();
    await p.initStack();
    expectOk(await p.pulumi("up", "--yes", "--skip-preview"), "pulumi up");
});

test.after.always(async () => {
    if (!p) return;
    const down = await p.clusterDown(true);
    if (down.code !== 0) console.error(down.stderr);
    p.cleanup();
});

interface Refs {
    secrets: Set<string>;
    configMaps: Set<string>;
    services: Set<string>;
}

/** The Secrets and ConfigMaps a TektonConfig `spec.result` makes the Results pods read. */
function resultRefs(result: Record<string, any>): Refs {
    const refs: Refs = { secrets: new Set(), configMaps: new Set(), services: new Set() };
    for (const k of ["db_secret_name", "secret_name", "gcs_creds_secret_name"])
        if (result[k]) refs.secrets.add(result[k]);
    for (const d of Object.values<any>(result.options?.deployments ?? {})) {
        const pod = d?.spec?.template?.spec ?? {};
        for (const v of pod.volumes ?? []) {
            if (v.configMap?.name) refs.configMaps.add(v.configMap.name);
            if (v.secret?.secretName) refs.secrets.add(v.secret.secretName);
        }
        for (const c of pod.containers ?? []) {
            for (const e of c.env ?? []) {
                if (e.valueFrom?.secretKeyRef?.name) refs.secrets.add(e.valueFrom.secretKeyRef.name);
                if (e.valueFrom?.configMapKeyRef?.name) refs.configMaps.add(e.valueFrom.configMapKeyRef.name);
            }
            for (const f of c.envFrom ?? []) {
                if (f.secretRef?.name) refs.secrets.add(f.secretRef.name);
                if (f.configMapRef?.name) refs.configMaps.add(f.configMapRef.name);
            }
        }
    }
    return refs;
}

for (const ctx of CLUSTERS) {
    test.serial(
        `${ctx}: every Secret, ConfigMap and Service the Results objects reference exists or is an ExternalSecret's target`,
        async (t) => {
            const k = p.kube(ctx);
            const tc = await k.get("operator.tekton.dev/v1alpha1", "TektonConfig", "config");
            const result = tc?.spec?.result;
            t.truthy(result, "TektonConfig config has spec.result");
            t.is(result.disabled, false, "Results is on in the local stack");
            const refs = resultRefs(result);
            const route = await k.get("route.openshift.io/v1", "Route", "tekton-results", NS);
            t.truthy(route, "the Results Route exists");
            refs.services.add(route!.spec.to.name);
            t.true(refs.secrets.size >= 2, `the DB and S3 Secrets are referenced (${[...refs.secrets].join(", ")})`);
            t.true(refs.configMaps.size >= 1, "the DB CA ConfigMap is referenced");

            const esList = (await k.objects.list("external-secrets.io/v1", "ExternalSecret", NS)).items as Record<
                string,
                any
            >[];
            for (const name of refs.secrets) {
                if (await k.get("v1", "Secret", name, NS)) continue;
                const es = esList.find((e) => (e.spec?.target?.name ?? e.metadata?.name) === name);
                t.truthy(es, `Secret ${NS}/${name}: neither exists nor is the target of an ExternalSecret`);
                if (!es) continue;
                const storeRef = es.spec.secretStoreRef;
                t.is(storeRef.kind, "ClusterSecretStore", `${es.metadata.name} reads a ClusterSecretStore`);
                t.truthy(
                    await k.get("external-secrets.io/v1", "ClusterSecretStore", storeRef.name),
                    `ExternalSecret ${es.metadata.name} reads ClusterSecretStore ${storeRef.name}, which does not exist on ${ctx}`,
                );
            }
            for (const name of refs.configMaps) {
                const cm = await k.get("v1", "ConfigMap", name, NS);
                t.truthy(cm, `ConfigMap ${NS}/${name} does not exist`);
                if (name === "rds-root-crt") {
                    const key = String(result.db_sslrootcert).split("/").pop()!;
                    t.true(
                        String(cm?.data?.[key] ?? "").includes("-----BEGIN CERTIFICATE-----"),
                        `rds-root-crt holds the CA under ${key}, the file db_sslrootcert (${result.db_sslrootcert}) names`,
                    );
                }
            }
            for (const name of refs.services) {
                if (OPERATOR_CREATED_SERVICES.has(name)) {
                    t.is(
                        route!.spec.port.targetPort,
                        "server",
                        "the Route targets the operator's API Service on its server port",
                    );
                    continue;
                }
                t.truthy(await k.get("v1", "Service", name, NS), `Service ${NS}/${name} does not exist`);
            }
            // The Chains ServiceMonitor selects the Service the stack deploys (port metrics).
            const chainsSvc = await k.get("v1", "Service", "tekton-chains", NS);
            const chainsSm = await k.get("monitoring.coreos.com/v1", "ServiceMonitor", "tekton-chains-controller", NS);
            t.truthy(chainsSvc && chainsSm, "the Chains Service and ServiceMonitor exist");
            for (const [key, value] of Object.entries<string>(chainsSm?.spec.selector.matchLabels ?? {}))
                t.is(chainsSvc?.metadata.labels?.[key], value, `Service label ${key}`);
            t.true(
                (chainsSvc?.spec.ports ?? []).some(
                    (x: { name: string }) => x.name === chainsSm?.spec.endpoints[0].port,
                ),
            );
        },
    );
}
