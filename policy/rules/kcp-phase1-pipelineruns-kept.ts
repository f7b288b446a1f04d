import type { StackValidationPolicy } from "@pulumi/policy";
import { goDurationSeconds } from "../lib/duration.js";
import { arr, at, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { kcpSyncedTektonConfigs } from "./compute-cluster-complete.js";

/**
 * Phase 1: the kcp syncer re-creates a PipelineRun removed from the compute cluster, so nothing prunes PipelineRuns
 * there. On every cluster the stack registers a SyncTarget for, the TektonConfig's operator pruner is disabled or
 * prunes `taskrun` only, and the Tekton Results watcher never deletes (`completed_run_grace_period` 0: "If 0, Runs
 * will not be deleted", tektoncd/results cmd/watcher/main.go).
 */
const policy: StackValidationPolicy = {
    name: "kcp-phase1-pipelineruns-kept",
    description:
        "On a compute cluster synced by kcp (the stack registers a SyncTarget for it), nothing may delete " +
        "PipelineRuns: the operator pruner is disabled or prunes [taskrun] only, and the Results watcher's " +
        'completed_run_grace_period is 0. Source: the Phase 1 design, pipeline-service@kcp README "Pruning of ' +
        'PipelineRuns and TaskRuns" (inventory constraint 42), upstream-conformance §1.12.',
    validateStack: (args, report) => {
        for (const { cluster, urn, spec } of kcpSyncedTektonConfigs(args.resources)) {
            const pruner = rec(spec.pruner);
            const resources = arr(pruner?.resources);
            if (pruner && pruner.disabled !== true && !(resources.length === 1 && resources[0] === "taskrun")) {
                report(
                    violation(
                        `Compute cluster '${cluster}' is synced by kcp, and its TektonConfig's operator pruner prunes ${show(pruner.resources)}; ` +
                            "the syncer re-creates every PipelineRun pruned on the cluster",
                        "Set pipeline-service:tekton.operatorPruner.disabled to true, or its resources to [taskrun]",
                    ),
                    urn,
                );
            }
            const grace = at(spec, "result", "watcher", "completed_run_grace_period");
            const s = typeof grace === "string" ? goDurationSeconds(grace) : undefined;
            if (rec(spec.result)?.disabled !== true && s !== 0) {
                report(
                    violation(
                        `Compute cluster '${cluster}' is synced by kcp, and its Tekton Results watcher deletes completed PipelineRuns ` +
                            `(completed_run_grace_period ${show(str(grace) ?? grace)}); the syncer re-creates them`,
                        "Set pipeline-service:results.watcherGracePeriod to 0s (the watcher never deletes)",
                    ),
                    urn,
                );
            }
        }
    },
};

export default policy;
