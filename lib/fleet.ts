/**
 * Fleet operations that depend on what the stack deployed before (issue 11 §1, §2, §3): renaming or removing a compute
 * cluster, the `clusters[].state` lifecycle (`active` → `draining` → `removed` → entry deleted) and the roll-forward
 * guard on the operator's CSV.
 *
 * What the stack deployed comes from its own outputs, through the same channel as cluster identity fencing
 * (lib/fencing.ts): `.tools/bin/pulumi` (scripts/pulumi-wrapper.sh) reads `pulumi stack output clusters --json` before
 * every preview and up and passes a summary as {@link DEPLOYED_ENV}. The program (index.ts) checks the configuration
 * against it with {@link fleetProblems} before any resource is registered. Without the wrapper (the unit suite, a
 * render, a brand-new stack) nothing is recorded and only the configuration's own rules apply.
 *
 * Pure: no Pulumi SDK, no I/O (the policy pack and scripts may import it).
 */
import { KNOWN_CATALOGS } from "./operatorVersions.js";

/** `clusters[].state`, in lifecycle order. */
export const CLUSTER_STATES = ["active", "draining", "removed"] as const;
export type ClusterState = (typeof CLUSTER_STATES)[number];

/** Env: JSON `{ "<cluster>": { state, expectedCsv, protected } }` of the deployed clusters (set by the wrapper). */
export const DEPLOYED_ENV = "PIPELINE_SERVICE_DEPLOYED_CLUSTERS";

/** A ClusterServiceVersion name, `<package>.v<MAJOR>.<MINOR>.<PATCH>[-<build>]` (OLM's bundle naming). */
export const CSV_NAME =
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\.v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z.-]+))?$/;

/** What the stack recorded of one cluster (its `clusters.<name>` output). */
export interface DeployedCluster {
    /** `clusters.<name>.state`; outputs from before the lifecycle existed have none, which means `active`. */
    state: ClusterState;
    /** `clusters.<name>.expectedCsv`: the CSV the last successful update waited for ("" when none). */
    expectedCsv: string;
    /** `clusters.<name>.protected`: whether its platform objects are protected in the state. */
    protected: boolean;
}

/** The recorded clusters from {@link DEPLOYED_ENV}; a malformed value is an error, not "nothing deployed". */
export function parseDeployed(value: string | undefined): Record<string, DeployedCluster> {
    if (value === undefined || value.trim() === "") return {};
    let doc: unknown;
    try {
        doc = JSON.parse(value);
    } catch (e) {
        throw new Error(`${DEPLOYED_ENV} is not JSON: ${(e as Error).message}`);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc))
        throw new Error(`${DEPLOYED_ENV} must be a JSON object of cluster → outputs`);
    return deployedFromOutputs(doc);
}

/**
 * The deployed clusters of `pulumi stack output clusters --json` (an object of cluster name → its outputs). Entries
 * that are not objects are skipped; an unknown state is an error (the outputs were written by this program).
 */
export function deployedFromOutputs(clusters: unknown): Record<string, DeployedCluster> {
    const out: Record<string, DeployedCluster> = {};
    if (clusters === null || typeof clusters !== "object") return out;
    for (const [name, v] of Object.entries(clusters as Record<string, unknown>)) {
        if (v === null || typeof v !== "object" || Array.isArray(v)) continue;
        const o = v as { state?: unknown; expectedCsv?: unknown; protected?: unknown };
        const state = o.state === undefined || o.state === null || o.state === "" ? "active" : o.state;
        if (typeof state !== "string" || !(CLUSTER_STATES as readonly string[]).includes(state)) {
            throw new Error(
                `${DEPLOYED_ENV}: cluster ${name} has state ${JSON.stringify(o.state)}, not one of ${CLUSTER_STATES.join(", ")}`,
            );
        }
        out[name] = {
            state: state as ClusterState,
            expectedCsv: typeof o.expectedCsv === "string" ? o.expectedCsv : "",
            protected: o.protected === true,
        };
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV versions

/** The version part of a CSV name: release numbers and the build suffix (undefined when the name has no version). */
export function csvVersion(csv: string): { release: [number, number, number]; build: string | undefined } | undefined {
    const m = CSV_NAME.exec(csv);
    if (!m) return undefined;
    return { release: [Number(m[3]), Number(m[4]), Number(m[5])], build: m[6] };
}

/**
 * Order of two CSV names by version: release numbers first, then the build suffix (OSP builds carry a build number,
 * `5.0.5-854`: a higher number is a newer build, and a release without one sorts before its numbered builds; two
 * non-numeric suffixes compare as strings). Throws for a name without a version.
 */
export function compareCsv(a: string, b: string): number {
    const [x, y] = [csvVersion(a), csvVersion(b)];
    if (!x || !y)
        throw new Error(
            `cannot compare CSV versions of '${a}' and '${b}' (expected <package>.v<MAJOR>.<MINOR>.<PATCH>[-<build>])`,
        );
    for (let i = 0; i < 3; i++) if (x.release[i] !== y.release[i]) return x.release[i]! - y.release[i]!;
    if (x.build === y.build) return 0;
    if (x.build === undefined) return -1;
    if (y.build === undefined) return 1;
    const [nx, ny] = [Number(x.build), Number(y.build)];
    if (Number.isInteger(nx) && Number.isInteger(ny)) return nx - ny;
    return x.build < y.build ? -1 : 1;
}

/** What {@link expectedCsvOf} reads of the resolved settings (a structural slice of `Settings`). */
export interface CsvSettingsView {
    osp: { expectedCsv?: string; catalog: { image: string }; subscription: { package: string } };
}

/**
 * The CSV a cluster's Subscription must report as `status.installedCSV` once OLM has installed the stack's catalog:
 * `osp.expectedCsv` when set, else `<package>.v<build>` for an index listed in `KNOWN_CATALOGS` (lib/operatorVersions.ts;
 * OLM names a bundle's CSV `<package>.v<version>`), else undefined (an index whose CSV is not known).
 */
export function expectedCsvOf(s: CsvSettingsView): string | undefined {
    if (s.osp.expectedCsv) return s.osp.expectedCsv;
    const at = s.osp.catalog.image.indexOf("@");
    const cat = at < 0 ? undefined : KNOWN_CATALOGS[s.osp.catalog.image.slice(at + 1)];
    return cat ? `${s.osp.subscription.package}.v${cat.build}` : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation against the deployed clusters

/** What {@link fleetProblems} needs of one configured cluster. */
export interface FleetCluster {
    name: string;
    /** Index in `clusters[]`, for the key path. */
    index: number;
    state: ClusterState;
    decommission?: boolean;
    /** {@link expectedCsvOf} of its settings. */
    expectedCsv?: string;
}

const PREFIX = "pipeline-service";

/** The steps that take a cluster out of a stack, from `from` on (README "Draining and removing a compute cluster"). */
function removalSteps(name: string, protectedEnv: boolean, stack: string): string {
    const steps = [
        `keep its entry in clusters[] and set clusters[<i>].state: draining, then .tools/bin/pulumi up --stack ${stack} ` +
            "(its SyncTarget becomes unschedulable, the gateway drops it, and the update waits until no PipelineRun runs there)",
        ...(protectedEnv
            ? ["set clusters[<i>].decommission: true and up again (lifts the protections in the state)"]
            : []),
        "set clusters[<i>].state: removed and up (deletes its platform objects, TektonConfig before the Subscription, and keeps " +
            "the openshift-pipelines namespace and the Chains signing secret)",
        "then delete the entry and up once more",
    ];
    return `To take ${name} out of the stack: ${steps.map((s, i) => `(${i + 1}) ${s}`).join("; ")}.`;
}

/**
 * The problems of the configured clusters against the deployed ones, each naming the key, what the state holds and
 * the steps to take. Rules:
 * - a deployed cluster that is not in `clusters[]` any more must have been `removed` first; when a new name appeared
 *   at the same time, the message says it looks like a rename, which is refused (every URN, the provider's
 *   `clusterIdentifier` and the identity output carry the name: a rename would adopt and then delete its objects);
 * - `state` moves forward one step at a time: `active` → `draining` → `removed`, and `removed` needs a completed drain
 *   (the recorded state is `draining` only after the drain's wait succeeded);
 * - in staging and prod a cluster is `removed` only after an up with `decommission: true` lifted its protections;
 * - the expected CSV never goes back (roll forward only, ADR-0009): an expected CSV older than the one recorded is
 *   refused, naming both.
 *
 * A cluster that is not deployed yet may start in any state except `removed` (there is nothing to remove).
 */
export function fleetProblems(
    stack: string,
    environment: string,
    clusters: FleetCluster[],
    deployed: Record<string, DeployedCluster>,
): string[] {
    const out: string[] = [];
    const protectedEnv = environment === "staging" || environment === "prod";
    const configured = new Set(clusters.map((c) => c.name));
    const added = clusters.filter((c) => !(c.name in deployed)).map((c) => c.name);
    const fix = (key: string) => ` Fix: edit Pulumi.${stack}.yaml (${PREFIX}:${key}).`;

    for (const [name, d] of Object.entries(deployed)) {
        if (configured.has(name) || d.state === "removed") continue;
        const rename = added.length
            ? ` It looks like a rename to ${added.map((a) => `'${a}'`).join(" or ")}: renaming a cluster is refused, because every ` +
              "URN of its objects, its provider's clusterIdentifier and its recorded identity carry the name, so the objects would " +
              `be adopted under the new name and then deleted under the old one (the openshift-pipelines namespace with them). Put ` +
              `the name '${name}' back. To change the name for good, take '${name}' out as below and add the cluster again under the new name.`
            : "";
        out.push(
            `${PREFIX}:clusters: cluster '${name}' is deployed (stack output clusters.${name}, state ${d.state}) but is not in ` +
                `clusters[] any more; removing it straight from the list would delete its platform objects (the openshift-pipelines ` +
                `namespace and the TektonConfig under running PipelineRuns) while new runs are still placed there.${rename} ` +
                `${removalSteps(name, protectedEnv, stack)}`,
        );
    }

    for (const c of clusters) {
        const key = `clusters[${c.index}].state`;
        const d = deployed[c.name];
        if (!d) {
            if (c.state === "removed") {
                out.push(
                    `${PREFIX}:${key}: cluster '${c.name}' is 'removed' but this stack never deployed it (no stack output ` +
                        `clusters.${c.name}); there is nothing to remove. Delete the entry, or set the state to active.${fix(key)}`,
                );
            }
            continue;
        }
        // draining → active is an undrain (the SyncTarget schedulable again, the gateway takes it back): allowed.
        if (c.state !== "removed" && d.state === "removed") {
            out.push(
                `${PREFIX}:${key}: cluster '${c.name}' is recorded as removed (its platform objects were deleted); it ` +
                    `cannot come back in place as ${c.state}. Delete the entry and up, then add the cluster again as a new one.${fix(key)}`,
            );
        }
        if (c.state === "removed" && d.state === "active") {
            out.push(
                `${PREFIX}:${key}: cluster '${c.name}' is recorded as active, so removing it now would delete its platform ` +
                    `objects under running PipelineRuns and while new runs are still placed there. Drain it first: set state: draining ` +
                    `and up (the update waits until no PipelineRun runs there), then set state: removed.${fix(key)}`,
            );
        }
        if (c.state === "removed" && d.state === "draining" && protectedEnv && d.protected) {
            out.push(
                `${PREFIX}:${key}: cluster '${c.name}' is drained but its platform objects are still protected in the state ` +
                    `(${environment} protects them, lib/protection.ts), so Pulumi would refuse to delete them. Set ` +
                    `clusters[${c.index}].decommission: true with state: draining and up first, then set state: removed.${fix(key)}`,
            );
        }
        if (c.state === "removed" && protectedEnv && !c.decommission) {
            out.push(
                `${PREFIX}:clusters[${c.index}].decommission: cluster '${c.name}' is 'removed' in ${environment}, where its ` +
                    `platform objects are protected; keep decommission: true while it is removed.${fix(`clusters[${c.index}].decommission`)}`,
            );
        }
        if (
            c.expectedCsv &&
            d.expectedCsv &&
            csvVersion(c.expectedCsv) &&
            csvVersion(d.expectedCsv) &&
            compareCsv(c.expectedCsv, d.expectedCsv) < 0
        ) {
            out.push(
                `${PREFIX}:osp.expectedCsv: cluster '${c.name}' would go from ${d.expectedCsv} (the CSV the stack last deployed, ` +
                    `stack output clusters.${c.name}.expectedCsv) back to ${c.expectedCsv}: operator downgrades are refused (roll forward ` +
                    `only, ADR-0009; OLM does not downgrade an installed CSV). Point osp.catalog.image (or rings.<n>.overrides / ` +
                    `clusters[${c.index}].overrides) at a catalog whose CSV is ${d.expectedCsv} or newer, or set osp.expectedCsv accordingly.`,
            );
        }
    }
    return out;
}
