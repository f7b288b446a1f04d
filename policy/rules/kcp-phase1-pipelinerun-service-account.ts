import type { StackValidationPolicy } from "@pulumi/policy";
import { arr, at, isTrue, rec, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { kcpSyncedTektonConfigs } from "./compute-cluster-complete.js";

/**
 * Phase 1: a PipelineRun synced from kcp runs in a namespace the syncer creates. It may use no service account (the
 * TektonConfig default) or `pipeline`, never `default`; and the default must exist there: the operator creates
 * `pipeline` in every namespace only with `params createRbacResource: "true"` (tektoncd/operator rbac reconciler).
 */
const policy: StackValidationPolicy = {
    name: "kcp-phase1-pipelinerun-service-account",
    description:
        "On a compute cluster synced by kcp, the TektonConfig's pipeline default-service-account is 'pipeline', " +
        "which the operator creates in every namespace (params createRbacResource \"true\"), and never 'default'. Source: " +
        'the Phase 1 design, pipeline-service@kcp README "ServiceAccount used by PipelineRuns" (inventory constraint 42); ' +
        "upstream-conformance §1.12.",
    validateStack: (args, report) => {
        for (const { cluster, urn, spec } of kcpSyncedTektonConfigs(args.resources)) {
            const sa = at(spec, "pipeline", "default-service-account");
            const rbac = arr(spec.params)
                .map(rec)
                .find((p) => p?.name === "createRbacResource")?.value;
            if (sa === "default") {
                report(
                    violation(
                        `Compute cluster '${cluster}' is synced by kcp, and PipelineRuns default to the 'default' ServiceAccount`,
                        "Set pipeline-service:tekton.defaultServiceAccount to pipeline",
                    ),
                    urn,
                );
            } else if (sa !== "pipeline" || !isTrue(rbac)) {
                report(
                    violation(
                        `Compute cluster '${cluster}' is synced by kcp, and PipelineRuns default to the ServiceAccount ${show(sa)} ` +
                            `with createRbacResource ${show(rbac)}: nothing creates that ServiceAccount in the namespaces the syncer creates`,
                        "Set pipeline-service:tekton.defaultServiceAccount to pipeline and the TektonConfig param createRbacResource to " +
                            '"true", so the operator creates that ServiceAccount in every namespace',
                    ),
                    urn,
                );
            }
        }
    },
};

export default policy;
