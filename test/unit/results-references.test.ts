/**
 * The mock-level twin of test/e2e/results-references.test.ts: under the whole local program, every Secret and
 * ConfigMap that a cluster's TektonConfig `spec.result` makes the Results pods read is registered by the program on
 * that cluster (as a ConfigMap, or as the target of an ExternalSecret whose ClusterSecretStore the program registers
 * on the same cluster), and the Results Route points at the operator's API Service.
 */
import test from "ava";
import { collected, mockableStackValues, ofKind, providerUrn } from "../helpers/mocks.js";
import { runProgram } from "./helpers/program.js";

// The kcp server URL the local stack takes from .local/kubeconfig, which does not exist under the unit suite.
const program = await runProgram("local", mockableStackValues("local"));
const { RESULTS_API_SERVICE } = await import("../../components/tektonResults.js");

for (const cluster of program.cfg.clusters.map((c) => c.name)) {
    test(`${cluster}: the Results config references only objects the program creates on that cluster`, (t) => {
        const tc = ofKind("TektonConfig").find((c) => c.name === `${cluster}-osp-tektonconfig`)!;
        const prov = providerUrn(tc.provider);
        const onCluster = collected.filter((c) => c.type.startsWith("kubernetes:") && providerUrn(c.provider) === prov);
        const result = tc.inputs.spec.result;
        t.is(result.disabled, false);
        const secrets = new Set<string>([result.db_secret_name, result.secret_name]);
        const configMaps = new Set<string>();
        for (const d of Object.values<any>(result.options.deployments)) {
            for (const v of d.spec.template.spec.volumes ?? []) if (v.configMap) configMaps.add(v.configMap.name);
            for (const c of d.spec.template.spec.containers ?? [])
                for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name);
        }
        t.deepEqual([...configMaps], ["rds-root-crt"]);
        for (const name of configMaps) {
            t.true(
                onCluster.some(
                    (c) =>
                        c.type === "kubernetes:core/v1:ConfigMap" &&
                        c.inputs.metadata.name === name &&
                        c.inputs.metadata.namespace === "openshift-pipelines",
                ),
                `ConfigMap ${name}`,
            );
        }
        for (const name of secrets) {
            const es = onCluster.find(
                (c) =>
                    c.type === "kubernetes:external-secrets.io/v1:ExternalSecret" &&
                    c.inputs.spec.target.name === name &&
                    c.inputs.metadata.namespace === "openshift-pipelines",
            );
            t.truthy(es, `Secret ${name} is an ExternalSecret's target`);
            const store = es?.inputs.spec.secretStoreRef.name;
            t.true(
                onCluster.some(
                    (c) =>
                        c.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore" &&
                        c.inputs.metadata.name === store,
                ),
                `store ${store} on ${cluster}`,
            );
        }
        const route = onCluster.find(
            (c) => c.type === "kubernetes:route.openshift.io/v1:Route" && c.inputs.metadata.name === "tekton-results",
        )!;
        t.deepEqual(route.inputs.spec.to, { kind: "Service", name: RESULTS_API_SERVICE, weight: 100 });
    });
}
