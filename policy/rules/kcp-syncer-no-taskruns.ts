import type { ResourceValidationPolicy } from "@pulumi/policy";
import { arr, at, describe, is, KIND, metadataOf, rec, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";
import { containerLabel, containersOf, isWorkload, podSpecOf } from "../lib/workloads.js";

/** Resources of group tekton.dev the syncer must never sync. */
const FORBIDDEN = new Set(["taskruns", "runs", "customruns"]);

/** `taskruns.tekton.dev`, `taskruns` or `taskruns.v1.tekton.dev` → is it forbidden? */
function forbidden(resource: string): boolean {
    const [name, ...group] = resource.trim().toLowerCase().split(".");
    const g = group.join(".");
    return FORBIDDEN.has(name ?? "") && (g === "" || g.endsWith("tekton.dev"));
}

/** `--resources=a,b`, `--resources a` in a container's args (and command). */
function syncedResources(argv: unknown[]): string[] {
    const out: string[] = [];
    argv.forEach((a, i) => {
        if (typeof a !== "string") return;
        const m = /^--resources(?:=(.*))?$/.exec(a);
        if (!m) return;
        const value = m[1] ?? (typeof argv[i + 1] === "string" ? (argv[i + 1] as string) : "");
        out.push(
            ...value
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
        );
    });
    return out;
}

function isSyncerContainer(c: Record<string, unknown>): boolean {
    return (
        c.name === "kcp-syncer" ||
        known(() => arr(c.command).some((x) => typeof x === "string" && x.endsWith("/syncer")), false)
    );
}

/** Constraint 42: deletions are not synced back to kcp, so synced TaskRuns/Runs would be re-created after pruning. */
const policy: ResourceValidationPolicy = {
    name: "kcp-syncer-no-taskruns",
    description:
        "The kcp syncer must never sync taskruns.tekton.dev, runs.tekton.dev or customruns.tekton.dev: " +
        "checked in the kcp-syncer container's --resources arguments, the syncer ClusterRole and the SyncTarget's " +
        "synced resources. Source: pipeline-service PR #122 (530ea4a), PR #294 and architect/phase1.md @kcp " +
        "(inventory constraint 42).",
    validateResource: (args, report) => {
        const what = describe(args.type, args.props, args.name);
        const fix =
            "Remove TaskRuns, Runs and CustomRuns from pipeline-service:kcp.resources; the syncer syncs PipelineRuns and the operator prunes them on the cluster";
        if (isWorkload(args.type)) {
            for (const c of containersOf(podSpecOf(args.type, args.props))) {
                if (!isSyncerContainer(c.container)) continue;
                // The args embed the SyncTarget's UID, unknown during preview: the ClusterRole check covers preview.
                const argv = known(
                    () => [...arr(c.container.command), ...arr(c.container.args)].map((x) => x),
                    undefined,
                );
                if (!argv) continue;
                const bad = syncedResources(argv).filter(forbidden);
                if (bad.length) {
                    report(
                        violation(
                            `${containerLabel(c)} of ${what} syncs ${bad.join(", ")}; kcp does not sync deletions back, so pruned runs would be re-created`,
                            fix,
                        ),
                    );
                }
            }
        } else if (is(args.type, KIND.ClusterRole) && (metadataOf(args.props).name ?? "").startsWith("kcp-syncer")) {
            const bad = new Set<string>();
            for (const rule of arr(args.props.rules).map(rec)) {
                const groups = arr(rule?.apiGroups);
                if (!groups.some((g) => g === "tekton.dev" || g === "*")) continue;
                for (const r of arr(rule?.resources)) {
                    if (typeof r !== "string") continue;
                    const base = r.split("/")[0]!;
                    if (r === "*" || FORBIDDEN.has(base)) bad.add(r);
                }
            }
            if (bad.size) {
                report(
                    violation(
                        `${what} lets the syncer manage ${[...bad].join(", ")} in tekton.dev, so it is set up to sync TaskRuns or Runs`,
                        fix,
                    ),
                );
            }
        } else if (is(args.type, KIND.SyncTarget)) {
            const bad = arr(at(args.props, "spec", "syncedResources")).flatMap((r) => {
                if (typeof r === "string") return forbidden(r) ? [r] : [];
                const o = rec(r);
                const name = str(o?.resource);
                const full = name && (str(o?.group) ? `${name}.${str(o?.group)}` : `${name}.tekton.dev`);
                return full && forbidden(full) ? [full] : [];
            });
            if (bad.length) report(violation(`${what} lists ${bad.join(", ")} among its synced resources`, fix));
        }
    },
};

export default policy;
