/**
 * Pod templates of the workload kinds Pipeline Service ships: Deployments, StatefulSets, DaemonSets, ReplicaSets,
 * Jobs, CronJobs and bare Pods. Patch resources (`*Patch`) are partial by design and are not checked.
 */
import { arr, at, parseKubeType, rec, str } from "./k8s.js";

/** `group/Kind` → where the pod spec sits in `props`. */
const POD_SPEC_PATH: Record<string, string[]> = {
    "apps/Deployment": ["spec", "template", "spec"],
    "apps/StatefulSet": ["spec", "template", "spec"],
    "apps/DaemonSet": ["spec", "template", "spec"],
    "apps/ReplicaSet": ["spec", "template", "spec"],
    "batch/Job": ["spec", "template", "spec"],
    "batch/CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    "core/Pod": ["spec"],
};

/** Whether `type` is a workload whose pods these rules check. */
export function isWorkload(type: string): boolean {
    const t = parseKubeType(type);
    return t !== undefined && `${t.group}/${t.kind}` in POD_SPEC_PATH;
}

/** The pod spec of a workload, or undefined when `type` is not a workload or the spec is missing. */
export function podSpecOf(type: string, props: Record<string, unknown>): Record<string, unknown> | undefined {
    const t = parseKubeType(type);
    const path = t && POD_SPEC_PATH[`${t.group}/${t.kind}`];
    return path ? rec(at(props, ...path)) : undefined;
}

export interface ContainerRef {
    /** `containers`, `initContainers` or `ephemeralContainers`. */
    list: "containers" | "initContainers" | "ephemeralContainers";
    name: string;
    container: Record<string, unknown>;
}

/** Every container of a pod spec, init and ephemeral containers included. */
export function containersOf(podSpec: Record<string, unknown> | undefined): ContainerRef[] {
    if (!podSpec) return [];
    const out: ContainerRef[] = [];
    for (const list of ["containers", "initContainers", "ephemeralContainers"] as const) {
        arr(podSpec[list]).forEach((c, i) => {
            const container = rec(c);
            if (container) out.push({ list, name: str(container.name) ?? `${list}[${i}]`, container });
        });
    }
    return out;
}

/** "container 'x'" or "init container 'x'" for messages. */
export function containerLabel(c: ContainerRef): string {
    const kind =
        c.list === "containers" ? "container" : c.list === "initContainers" ? "init container" : "ephemeral container";
    return `${kind} '${c.name}'`;
}
