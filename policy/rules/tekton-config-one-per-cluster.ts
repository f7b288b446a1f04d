import type { StackValidationPolicy } from "@pulumi/policy";
import { providerUrnOf, urnName } from "../lib/clusters.js";
import { is, KIND } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** Constraint 6: exactly one TektonConfig per compute cluster. */
const policy: StackValidationPolicy = {
    name: "tekton-config-one-per-cluster",
    description:
        "Each compute cluster (kubernetes provider) must get exactly one TektonConfig, because the " +
        "operator owns a single cluster-scoped config. Source: pipeline-service tekton-config.yaml @5b34974a " +
        "(inventory constraint 6).",
    validateStack: (args, report) => {
        const byProvider = new Map<string, string[]>();
        for (const r of args.resources) {
            if (!is(r.type, KIND.TektonConfig)) continue;
            const p = providerUrnOf(r) ?? "(no provider)";
            byProvider.set(p, [...(byProvider.get(p) ?? []), r.urn]);
        }
        for (const [provider, urns] of byProvider) {
            if (urns.length < 2) continue;
            for (const urn of urns.slice(1)) {
                report(
                    violation(
                        `The cluster of provider '${urnName(provider)}' gets ${urns.length} TektonConfigs (${urns.map(urnName).join(", ")}), ` +
                            "and they would overwrite each other",
                        "Declare one TektonConfig per cluster, through the cluster's OpenShiftPipelines component",
                    ),
                    urn,
                );
            }
        }
    },
};

export default policy;
