/**
 * The engine floor for bench/preview.ts: per cluster, one kubernetes Provider and as many plain ConfigMaps as the
 * real program registers Kubernetes resources on that cluster. Config: `baseline:kubeconfig` (path) and
 * `baseline:counts` (JSON object, context → number of ConfigMaps).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config("baseline");
const kubeconfig = config.require("kubeconfig");
const counts = config.requireObject<Record<string, number>>("counts");

for (const [context, count] of Object.entries(counts)) {
    const provider = new k8s.Provider(`${context}-k8s`, { kubeconfig, context, clusterIdentifier: context });
    for (let i = 0; i < count; i++) {
        new k8s.core.v1.ConfigMap(
            `${context}-cm-${i}`,
            {
                metadata: { name: `baseline-${i}`, namespace: "default" },
                data: { index: String(i) },
            },
            { provider },
        );
    }
}
