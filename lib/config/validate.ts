/**
 * Validation and resolution of the stack configuration: unknown keys (with a did-you-mean), the zod schemas of every
 * layer, the cross-field and environment rules, and {@link ConfigError}, whose message names each bad key as it is
 * written in `Pulumi.<stack>.yaml` and says how to fix it. Pure: no Pulumi runtime. lib/config.ts re-exports the
 * public part.
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { DeepPartial, isPlainObject, mergeLayers } from "../merge.js";
import { operatorVersionProblems } from "../operatorVersions.js";
import { caBundleProblem } from "../rdsCaBundle.js";
import { sharedStoreNamespaces } from "../secretStores.js";
import { expectedCsvOf } from "../fleet.js";
import { DEFAULTS, defaultServiceAccountOf, ENVIRONMENT_DEFAULTS, PHASE1_SERVICE_ACCOUNT } from "./defaults.js";
import { DIGEST_PINNED, durationSeconds, FORBIDDEN_SYNCED_RESOURCES } from "./rules.js";
import { resolvePlatformAccess, resolveTenant, tenantProblems } from "./tenants.js";
import {
    ClusterSchema,
    PipelineServiceConfig,
    PROJECT,
    ResolvedCluster,
    Settings,
    SettingsOverrideSchema,
    SettingsSchema,
    settingsShape,
    StackSchema,
} from "./schema.js";

// ---------------------------------------------------------------------------------------------------------------
// Loading and validation

/** Raised for any invalid stack configuration, before a resource is registered. */
export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: string[],
    ) {
        super(
            `invalid stack configuration for stack '${stack}' (nothing was changed):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** The top-level keys this project reads; anything else under `pipeline-service:` is a typo. */
export const KNOWN_KEYS = new Set([
    "environment",
    "gateway",
    "kcpKubeconfig",
    "delivery",
    "clusters",
    "rings",
    "pools",
    "tenants",
    "access",
    ...Object.keys(settingsShape(false)),
]);

/**
 * The known key closest to `key` by edit distance (fastest-levenshtein), when it is close enough to be a typo: at most
 * a third of the key's length, and at least 1. Undefined otherwise.
 */
export function didYouMean(key: string, known: string[]): string | undefined {
    if (!known.length) return undefined;
    const best = closest(key, known);
    return distance(key, best) <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function keyPath(path: PropertyKey[]): string {
    let out = "";
    for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
    return out;
}

/** How to fix `key` of stack `stack`, with the real stack name in the command and the file. */
function fixHint(key: string, stack: string): string {
    return ` Fix: pulumi config set --path '${key}' <value> --stack ${stack}, or edit Pulumi.${stack}.yaml.`;
}

type Issue = z.core.$ZodIssue;

/** A value's kind, never the value itself (it may be a credential). */
function kindOf(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "a list";
    switch (typeof v) {
        case "string":
            return "a string";
        case "number":
            return Number.isInteger(v) ? "a whole number" : "a number";
        case "boolean":
            return "true/false";
        case "object":
            return "a mapping";
        default:
            return `a ${typeof v}`;
    }
}

const EXPECTED: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "a mapping of keys to values",
    array: "a list",
    record: "a mapping of keys to values",
    null: "null",
    nan: "a number",
    bigint: "a whole number",
};

/**
 * An issue in the project's words. The schemas' own messages (`must be ...`) stay; zod's defaults (`Invalid input:
 * expected number, received string`, `Too big: ...`) are rephrased from the issue's fields, naming the kind of the
 * value found but never the value.
 */
export function ownWords(i: Issue): string {
    if (i.code === "unrecognized_keys")
        return `unknown key(s) ${i.keys.map((x) => `'${x}'`).join(", ")}: check the spelling`;
    // A record key or set element that fails its schema (e.g. `rings.<n>`): say why, not "Invalid key in record".
    if ((i.code === "invalid_key" || i.code === "invalid_element") && i.issues[0]) return ownWords(i.issues[0]);
    if (i.code === "invalid_type" && i.input === undefined) return "is required";
    if (!/^(Invalid|Too (big|small)|Unrecognized)\b/.test(i.message)) return i.message;
    const n = (x: number | bigint) => String(x);
    switch (i.code) {
        case "invalid_type":
            return `must be ${EXPECTED[i.expected] ?? i.expected}, not ${kindOf(i.input)}`;
        case "too_big": {
            const bound = i.exact ? "exactly" : i.inclusive === false ? "less than" : "at most";
            if (i.origin === "string") return `must be ${bound} ${n(i.maximum)} characters long`;
            if (i.origin === "array" || i.origin === "set") return `must have ${bound} ${n(i.maximum)} entries`;
            return `must be ${bound} ${n(i.maximum)}`;
        }
        case "too_small": {
            const bound = i.exact ? "exactly" : i.inclusive === false ? "more than" : "at least";
            if (i.origin === "string")
                return i.minimum === 1 && !i.exact
                    ? "must not be empty"
                    : `must be ${bound} ${n(i.minimum)} characters long`;
            if (i.origin === "array" || i.origin === "set")
                return `must have ${bound} ${n(i.minimum)} ${i.minimum === 1 ? "entry" : "entries"}`;
            return `must be ${bound} ${n(i.minimum)}`;
        }
        case "invalid_format":
            if (i.format === "regex") return `must match the pattern ${i.pattern ?? ""}`.trimEnd();
            if (i.format === "url") return "must be a URL such as https://host.example.com/path";
            return `must be a valid ${i.format}`;
        case "invalid_value":
            return i.values.length === 1
                ? `must be ${JSON.stringify(i.values[0])}`
                : `must be one of ${i.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "not_multiple_of":
            return `must be a multiple of ${n(i.divisor)}`;
        case "invalid_union":
            return `does not match any of the forms it may take (${kindOf(i.input)} given)`;
        default:
            return "is not valid";
    }
}

function issues(err: z.ZodError, prefix: string, stack: string): string[] {
    return err.issues.map((i) => {
        const k = [prefix, keyPath(i.path)]
            .filter(Boolean)
            .join(prefix && i.path.length && typeof i.path[0] !== "number" ? "." : "");
        return `${PROJECT}:${k}: ${ownWords(i)}.${fixHint(k, stack)}`;
    });
}

/**
 * Drop what an issue complains about from `root` (in place): the unknown keys it names, or the value at its path; when
 * that is not in an object (a list element, or already gone), the nearest enclosing object entry instead. So what is
 * left can be parsed again and its other values checked. False when nothing could be dropped.
 */
function drop(root: unknown, i: Issue): boolean {
    const at = (p: PropertyKey[]): unknown =>
        p.reduce<unknown>(
            (n, seg) => (n !== null && typeof n === "object" ? (n as Record<PropertyKey, unknown>)[seg] : undefined),
            root,
        );
    if (i.code === "unrecognized_keys") {
        const target = at(i.path);
        if (!isPlainObject(target)) return false;
        const present = i.keys.filter((k) => k in target);
        for (const k of present) delete target[k];
        if (present.length) return true;
    }
    for (let len = i.path.length; len > 0; len--) {
        const parent = at(i.path.slice(0, len - 1));
        const key = i.path[len - 1]!;
        if (isPlainObject(parent) && (key as string) in parent) {
            delete parent[key as string];
            return true;
        }
    }
    return false;
}

/**
 * Parse `value` with `schema`, report every issue under `prefix`, then drop what is wrong and parse what is left
 * (repeatedly), so the rest of the value still gets checked in the same pass. Returns the parsed data of what is left
 * (defaults fill the dropped values), or undefined when it cannot be parsed at all (a required value is wrong or missing).
 */
function parseReporting<S extends z.ZodType>(
    schema: S,
    value: unknown,
    prefix: string,
    stack: string,
    problems: string[],
): { data: z.output<S> } | undefined {
    let r = schema.safeParse(value, { reportInput: true });
    if (r.success) return { data: r.data };
    problems.push(...issues(r.error, prefix, stack));
    const rest: unknown = structuredClone(value);
    for (let round = 0; round < 16; round++) {
        let dropped = false;
        for (const i of r.error.issues) dropped = drop(rest, i) || dropped;
        if (!dropped) return undefined;
        r = schema.safeParse(rest, { reportInput: true });
        if (r.success) return { data: r.data };
    }
    return undefined;
}

/**
 * Validate raw stack configuration (a plain object of the `pipeline-service:*` keys, already parsed from YAML/JSON)
 * and resolve every cluster. Pure: no Pulumi runtime needed, so unit and property tests call it directly.
 *
 * One pass: each top-level key is parsed on its own, and a wrong value is reported and then dropped (defaults fill
 * it) so that the other values, the cross-field rules and every cluster are still checked; only a missing or invalid
 * `environment` stops the layers from being merged (each cluster's own keys and overrides are still checked then).
 * Every fix names the real stack (`--stack <name>`, `Pulumi.<name>.yaml`).
 *
 * @throws ConfigError listing every problem, each naming its key and how to fix it.
 */
export function resolveConfig(stack: string, raw: Record<string, unknown>): PipelineServiceConfig {
    const problems: string[] = [];
    for (const k of Object.keys(raw)) {
        if (!KNOWN_KEYS.has(k)) {
            const guess = didYouMean(k, [...KNOWN_KEYS]);
            problems.push(
                `${PROJECT}:${k}: is not a known key${guess ? `; did you mean ${PROJECT}:${guess}?` : ""} Known keys are ` +
                    `${[...KNOWN_KEYS].sort().join(", ")}. Fix: correct its spelling${guess ? ` to ${guess}` : ""}, or remove it with ` +
                    `pulumi config rm ${PROJECT}:${k} --stack ${stack}.`,
            );
        }
    }
    // Each top-level key on its own, so one bad key does not hide the others' problems.
    type Top = z.output<typeof StackSchema>;
    const shape = StackSchema.shape;
    const top: Partial<Top> = {};
    const failed = new Set<string>();
    for (const k of Object.keys(shape) as (keyof Top)[]) {
        const r = parseReporting(shape[k], raw[k], k, stack, problems);
        if (r) (top as Record<string, unknown>)[k] = r.data;
        else failed.add(k);
    }

    const envLayer: Record<string, unknown> = {};
    for (const k of Object.keys(settingsShape(false))) if (raw[k] !== undefined) envLayer[k] = raw[k];
    const envParsed = parseReporting(SettingsOverrideSchema, envLayer, "", stack, problems);
    const rawClusters: unknown[] = top.clusters ?? (Array.isArray(raw.clusters) ? raw.clusters : []);

    if (!top.environment || !envParsed) {
        // Without an environment the layers cannot be merged: still check every cluster's own keys and overrides.
        rawClusters.forEach((rawCluster, index) => {
            parseReporting(ClusterSchema, rawCluster, `clusters[${index}]`, stack, problems);
            const overrides = isPlainObject(rawCluster) ? rawCluster.overrides : undefined;
            parseReporting(SettingsOverrideSchema, overrides ?? {}, `clusters[${index}].overrides`, stack, problems);
        });
        throw new ConfigError(stack, problems);
    }
    const environment = top.environment;

    const envSettings = mergeLayers(
        DEFAULTS,
        ENVIRONMENT_DEFAULTS[environment],
        envParsed.data as DeepPartial<Settings>,
    );
    const full = SettingsSchema.safeParse(envSettings);
    if (!full.success) throw new ConfigError(stack, [...problems, ...issues(full.error, "", stack)]);
    const envCross = crossFieldProblems(full.data, environment);
    problems.push(...envCross.map((x) => formatProblem(x, "", stack)));
    const envCrossSeen = new Set(envCross.map((x) => `${x.key}: ${x.msg}`));

    /**
     * One overrides layer (a ring's or a cluster's) over `base`: its own keys, the merged settings, and the cross-field
     * problems it introduces (not those already `seen` in the layers below). Undefined when it cannot be merged.
     */
    const layer = (
        overrides: unknown,
        base: Settings,
        seen: Set<string>,
        at: string,
    ): { settings: Settings; seen: Set<string> } | undefined => {
        const ov = parseReporting(SettingsOverrideSchema, overrides ?? {}, at, stack, problems);
        if (!ov) return undefined;
        const merged = SettingsSchema.safeParse(mergeLayers(base, ov.data as DeepPartial<Settings>));
        if (!merged.success) {
            problems.push(...issues(merged.error, at, stack));
            return undefined;
        }
        const cross = crossFieldProblems(merged.data, environment).filter((x) => !seen.has(`${x.key}: ${x.msg}`));
        problems.push(...cross.map((x) => formatProblem(x, `${at}.`, stack)));
        return { settings: merged.data, seen: new Set([...seen, ...cross.map((x) => `${x.key}: ${x.msg}`)]) };
    };

    // Ring layers (rings.<n>.overrides): merged between the environment and each cluster's overrides. A ring reports
    // only the problems it introduces, and its clusters only theirs.
    const ringSettings = new Map<number, { settings: Settings; seen: Set<string> }>();
    const usedRings = new Set(rawClusters.map((c) => (c as { ring?: unknown } | null)?.ring));
    for (const [key, ring] of Object.entries(top.rings ?? {}).sort(([a], [b]) => Number(a) - Number(b))) {
        const at = `rings.${key}.overrides`;
        if (!usedRings.has(Number(key))) {
            problems.push(
                `${PROJECT}:rings.${key}: no cluster is in ring ${key} (clusters[].ring), so these overrides would apply to ` +
                    `nothing; fix the ring number or remove the entry.${fixHint(`rings.${key}`, stack)}`,
            );
            continue;
        }
        const resolved = layer(ring.overrides, full.data, envCrossSeen, at);
        if (resolved) ringSettings.set(Number(key), resolved);
    }

    const clusters: ResolvedCluster[] = [];
    const names = new Set<string>();
    /** Every cluster name written, also of clusters with other problems (so the gateway checks do not blame it). */
    const namesWritten = new Set(
        rawClusters.map((c) => (isPlainObject(c) && typeof c.name === "string" ? c.name : "")).filter(Boolean),
    );
    rawClusters.forEach((rawCluster, index) => {
        const c = parseReporting(ClusterSchema, rawCluster, `clusters[${index}]`, stack, problems);
        const at = `clusters[${index}].overrides`;
        if (!c) {
            // Its own keys are wrong: its overrides are still checked, over the environment.
            layer(isPlainObject(rawCluster) ? rawCluster.overrides : undefined, full.data, envCrossSeen, at);
            return;
        }
        if (names.has(c.data.name)) {
            problems.push(
                `${PROJECT}:clusters[${index}].name: '${c.data.name}' is used by another cluster; cluster names must be unique.` +
                    fixHint(`clusters[${index}].name`, stack),
            );
        }
        names.add(c.data.name);
        const ring = ringSettings.get(c.data.ring);
        // Only problems the overrides introduce; the environment's (and the ring's) own were reported above.
        const resolved = layer(c.data.overrides, ring?.settings ?? full.data, ring?.seen ?? envCrossSeen, at);
        if (!resolved) return;
        const { overrides: _ignored, ...rest } = c.data;
        clusters.push({ ...rest, state: rest.state ?? "active", settings: resolved.settings, index });
    });

    const gw = top.gateway;
    let hostCluster = gw?.hostCluster;
    if (gw) {
        if (gw.mode === "single" && rawClusters.length !== 1) {
            problems.push(
                `${PROJECT}:gateway.mode: 'single' routes webhooks to exactly one cluster, but ${rawClusters.length} ` +
                    `clusters are configured (ADR-0001). Fix: set gateway.mode to fanout, or keep one cluster in clusters[].`,
            );
        }
        if (gw.hostKubeconfig) {
            hostCluster ??= "gateway-host";
            if (namesWritten.has(hostCluster)) {
                problems.push(
                    `${PROJECT}:gateway.hostCluster: '${hostCluster}' is a compute cluster, but gateway.hostKubeconfig says the ` +
                        `gateway runs on a separate host cluster; name the host something else, or drop gateway.hostKubeconfig to run it on ` +
                        `'${hostCluster}'.${fixHint("gateway.hostCluster", stack)}`,
                );
            }
            if (gw.mode === "single") {
                problems.push(
                    `${PROJECT}:gateway.hostKubeconfig: gateway.mode single runs HAProxy next to the one compute cluster's PaC ` +
                        `Service; a separate host cluster needs gateway.mode fanout (SprayProxy).${fixHint("gateway.mode", stack)}`,
                );
            }
        } else if (hostCluster !== undefined && !namesWritten.has(hostCluster)) {
            problems.push(
                `${PROJECT}:gateway.hostCluster: '${hostCluster}' is not one of the configured clusters ` +
                    `(${[...namesWritten].join(", ")}).${fixHint("gateway.hostCluster", stack)}`,
            );
        }
        if (gw.mode === "single" && clusters.some((c) => !c.settings.gatewayImages.haproxy)) {
            problems.push(
                `${PROJECT}:gatewayImages.haproxy: gateway.mode single runs HAProxy, so its image must be set, pinned by ` +
                    `digest.${fixHint("gatewayImages.haproxy", stack)}`,
            );
        }
    }
    if (!failed.has("kcpKubeconfig")) {
        if ((full.data.kcp.enabled || clusters.some((c) => c.settings.kcp.enabled)) && !top.kcpKubeconfig) {
            problems.push(
                `${PROJECT}:kcpKubeconfig: kcp.enabled is true, so the kcp workspace needs credentials: set ` +
                    `kcpKubeconfig.context (and path) or kcpKubeconfig.secretConfigKey, or set kcp.enabled to false.${fixHint("kcpKubeconfig", stack)}`,
            );
        }
        // kcp.serverUrl defaults to the server of kcpKubeconfig's file (sync.go:239-268@v0.11.0); without a file it must be set.
        const noServer = [
            ...(full.data.kcp.enabled && !full.data.kcp.serverUrl ? [""] : []),
            ...clusters
                .filter(
                    (c) =>
                        c.settings.kcp.enabled &&
                        !c.settings.kcp.serverUrl &&
                        full.data.kcp.serverUrl === undefined &&
                        !full.data.kcp.enabled,
                )
                .map((c) => `clusters[${c.index}].overrides.`),
        ];
        if (top.kcpKubeconfig && !top.kcpKubeconfig.path) {
            for (const at of noServer) {
                problems.push(
                    `${PROJECT}:${at}kcp.serverUrl: kcp.enabled is true and kcpKubeconfig names no file to take the kcp server ` +
                        `from, so set the kcp server URL (https://<host>:<port>, no /clusters path), or set kcpKubeconfig.path.${fixHint(`${at}kcp.serverUrl`, stack)}`,
                );
            }
        }
    }
    if (gw)
        problems.push(
            ...lifecycleProblems(
                clusters,
                gw.hostKubeconfig ? { separate: true } : { separate: false, name: hostCluster },
                stack,
            ),
        );
    if (top.delivery?.mode === "gitops") {
        if (!top.delivery.renderDir) {
            problems.push(
                `${PROJECT}:delivery.renderDir: delivery.mode gitops renders the platform into a checkout of the ` +
                    `GitOps repository, so its directory must be set (relative to the project root).${fixHint("delivery.renderDir", stack)}`,
            );
        }
        for (const c of clusters.filter((x) => x.settings.secrets.mode !== "external")) {
            problems.push(
                `${PROJECT}:delivery.mode: gitops commits the platform's manifests to Git, so every secret must come ` +
                    `from an ExternalSecret, but cluster ${c.name} has secrets.mode ${c.settings.secrets.mode}. Fix: set ` +
                    `secrets.mode to external, or delivery.mode to direct.`,
            );
        }
    }
    // Tenants, pools and platform access (lib/config/tenants.ts), when their own keys parsed.
    if (!failed.has("pools") && !failed.has("tenants")) {
        problems.push(
            ...tenantProblems({
                pools: top.pools ?? [],
                tenants: top.tenants ?? [],
                clusters,
                kcp: full.data.kcp,
            }).map((x) => formatProblem(x, "", stack)),
        );
    }
    if (problems.length || failed.size || !gw || !top.clusters) throw new ConfigError(stack, problems);

    const sorted = [...clusters].sort((a, b) => a.ring - b.ring || a.index - b.index);
    hostCluster ??= sorted[0]!.name;
    return {
        stack,
        environment,
        gateway: {
            mode: gw.mode,
            hostname: gw.hostname,
            hostCluster,
            ...(gw.hostKubeconfig ? { hostKubeconfig: gw.hostKubeconfig } : {}),
        },
        kcpKubeconfig: top.kcpKubeconfig,
        delivery: { mode: top.delivery?.mode ?? "direct", renderDir: top.delivery?.renderDir },
        settings: full.data,
        clusters,
        pools: top.pools ?? [],
        tenants: (top.tenants ?? []).map(resolveTenant),
        access: resolvePlatformAccess(top.access),
    };
}

export interface Problem {
    key: string;
    msg: string;
}

/**
 * The rules of `clusters[].state` that need no deployed state (those that do are lib/fleet.ts fleetProblems): the
 * gateway keeps at least one active backend, and its host (`hostCluster`, or the first cluster of the lowest ring by
 * default; none when it runs on a host of its own) is not removed under it.
 */
function lifecycleProblems(
    clusters: ResolvedCluster[],
    gateway: { separate: boolean; name?: string },
    stack: string,
): string[] {
    const hostCluster = gateway.name;
    const out: string[] = [];
    if (clusters.length && clusters.every((c) => c.state !== "active")) {
        out.push(
            `${PROJECT}:clusters: every cluster is draining or removed, so the webhook gateway would have no backend and no ` +
                `PipelineRun could be placed anywhere; keep at least one cluster active (add the replacement cluster first).` +
                fixHint(`clusters[${clusters[0]!.index}].state`, stack),
        );
    }
    const host = gateway.separate
        ? undefined
        : (hostCluster ??
          (clusters.length ? [...clusters].sort((a, b) => a.ring - b.ring || a.index - b.index)[0]!.name : undefined));
    const h = clusters.find((c) => c.name === host);
    if (h && h.state === "removed") {
        out.push(
            `${PROJECT}:clusters[${h.index}].state: '${h.name}' runs the webhook gateway${hostCluster ? " (gateway.hostCluster)" : ""}, ` +
                `so removing it would delete the gateway under every cluster. Move the gateway first: set gateway.hostCluster to an ` +
                `active cluster and up (the gateway is created there and deleted here), then set state: removed.${fixHint("gateway.hostCluster", stack)}`,
        );
    }
    return out;
}

function formatProblem(p: Problem, at: string, stack: string): string {
    return `${PROJECT}:${at}${p.key}: ${p.msg}${fixHint(at + p.key, stack)}`;
}

/** The parent of a kcp workspace path (`root:a:b` → `root:a`). */
function workspaceParent(path: string): string {
    return path.slice(0, Math.max(path.lastIndexOf(":"), 0));
}

/**
 * kcp and the Phase 1 platform rules, when `kcp.enabled` (upstream-conformance §1.12; the Phase 1 design,
 * pipeline-service@kcp README "Pruning of PipelineRuns and TaskRuns" and "ServiceAccount used by PipelineRuns"):
 * - the syncer re-creates a PipelineRun removed from the compute cluster, so nothing prunes PipelineRuns there: the
 *   operator pruner is disabled or prunes `taskrun` only, and the Tekton Results watcher never deletes
 *   (`completed_run_grace_period` 0: "If 0, Runs will not be deleted", tektoncd/results cmd/watcher/main.go);
 * - a PipelineRun may use no service account or the `pipeline` one, never `default`;
 * - tenant (consumer) workspaces are siblings of the compute workspace, under the platform's workspace.
 */
export function kcpProblems(s: Settings): Problem[] {
    const out: Problem[] = [];
    const k = s.kcp;
    if (!k.enabled) {
        if (k.workspacePruner.enabled)
            out.push({
                key: "kcp.workspacePruner.enabled",
                msg: "must be false while kcp.enabled is false: without kcp there are no tenant workspaces to prune (ADR-0009 tenants' runs are pruned on the clusters by Tekton Results' watcher).",
            });
        return out;
    }
    const p = s.tekton.operatorPruner;
    if (!p.disabled && JSON.stringify(p.resources ?? []) !== JSON.stringify(["taskrun"])) {
        out.push({
            key: "tekton.operatorPruner.resources",
            msg:
                `must be [taskrun] (or set tekton.operatorPruner.disabled: true) while ` +
                `kcp.enabled is true: the kcp syncer re-creates a PipelineRun pruned on the compute cluster, so Phase 1 prunes TaskRuns only ` +
                `(pipeline-service@kcp README "Pruning of PipelineRuns and TaskRuns"; got ${JSON.stringify(p.resources ?? [])}).`,
        });
    }
    if (durationSeconds(s.results.watcherGracePeriod) !== 0) {
        out.push({
            key: "results.watcherGracePeriod",
            msg:
                `must be 0s while kcp.enabled is true: the Tekton Results watcher deletes ` +
                `completed PipelineRuns after '${s.results.watcherGracePeriod}', and the kcp syncer re-creates them (Phase 1: nothing deletes ` +
                "PipelineRuns on the compute cluster; 0 means the watcher never deletes, tektoncd/results cmd/watcher/main.go).",
        });
    }
    const sa = defaultServiceAccountOf(s);
    if (sa !== PHASE1_SERVICE_ACCOUNT) {
        out.push({
            key: "tekton.defaultServiceAccount",
            msg:
                `must be ${PHASE1_SERVICE_ACCOUNT} (or unset) while kcp.enabled is true, not '${sa}': a PipelineRun synced ` +
                'from kcp may use no service account or the `pipeline` one, never `default` (pipeline-service@kcp README "ServiceAccount ' +
                'used by PipelineRuns"), and the syncer creates the namespaces, so only the operator (createRbacResource "true", ' +
                "which a Phase 1 cluster gets) puts a ServiceAccount in them, and it is named pipeline.",
        });
    }
    const wp = k.workspacePruner;
    if (wp.enabled && (wp.keep === undefined) === (wp.keepSince === undefined)) {
        out.push({
            key: "kcp.workspacePruner",
            msg:
                wp.keep === undefined
                    ? "is enabled but says neither how many finished PipelineRuns to keep nor for how long: set keep (runs per namespace, e.g. 100) or keepSince (e.g. 24h)."
                    : "sets both keep and keepSince: they are alternatives, as the operator pruner's keep and keep-since; remove one.",
        });
    }
    const platform = workspaceParent(k.workspace);
    k.consumerWorkspaces.forEach((w, i) => {
        const key = `kcp.consumerWorkspaces[${i}]`;
        if (w === k.workspace) {
            out.push({
                key,
                msg: `'${w}' is the compute workspace itself; a consumer workspace is a tenant workspace such as ${platform}:tenant-a.`,
            });
        } else if (!platform || !w.startsWith(`${platform}:`)) {
            out.push({
                key,
                msg:
                    `'${w}' is not under the platform's workspace '${platform || "root"}' (the parent of kcp.workspace ` +
                    `${k.workspace}); a consumer workspace binds the compute workspace's kubernetes APIExport, so it must be a workspace ` +
                    `below ${platform || "root"}, such as ${platform}:tenant-a.`,
            });
        }
    });
    const dup = k.consumerWorkspaces.find((w, i) => k.consumerWorkspaces.indexOf(w) !== i);
    if (dup)
        out.push({
            key: "kcp.consumerWorkspaces",
            msg: `lists '${dup}' twice; each workspace gets one APIBinding and one Placement.`,
        });
    return out;
}

/** Rules across fields of one resolved layer. */
function crossFieldProblems(s: Settings, environment: string): Problem[] {
    const out: Problem[] = [];
    const say = (key: string, msg: string) => out.push({ key, msg });
    // A kubernetes store's keys are Secret names (no '/'): vaultKey joins with '.' after a prefix ending in '.'.
    if (
        s.secretStore.manage &&
        s.secretStore.provider === "kubernetes" &&
        !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.$/.test(s.secretStore.keyPrefix)
    ) {
        say(
            "secretStore.keyPrefix",
            "a managed kubernetes store's keys are Secret names, which cannot contain '/': use a prefix of " +
                "lower-case letters, digits, '-' and '.' that ends with '.', such as local.pipeline-service.",
        );
    }
    if (s.secretStore.provider === "vault" && s.secretStore.keyPrefix.endsWith(".")) {
        say(
            "secretStore.keyPrefix",
            "a Vault key prefix is a path such as production/pipeline-service; a trailing '.' is for kubernetes stores.",
        );
    }
    const p = s.tekton.operatorPruner;
    if (!p.disabled) {
        if ((p.keep === undefined) === (p.keepSince === undefined)) {
            say(
                "tekton.operatorPruner",
                "an enabled backup pruner needs exactly one of keep or keepSince; the operator " +
                    'rejects both ("expected exactly one, got both", pipeline-service 6c63f92).',
            );
        }
        if (s.kcp.enabled) {
            // Phase 1 (kcp on): see kcpProblems; the syncer re-creates PipelineRuns removed downstream.
        } else if (JSON.stringify(p.resources ?? []) !== JSON.stringify(["pipelinerun"])) {
            say(
                "tekton.operatorPruner.resources",
                "must be [pipelinerun]: pruning taskruns removes TaskRuns of PipelineRuns still in flight (constraint 9).",
            );
        }
        if (!p.schedule)
            say(
                "tekton.operatorPruner.schedule",
                "an enabled backup pruner needs a cron schedule such as '*/30 * * * *'.",
            );
    }
    for (const r of s.kcp.resources) {
        if (FORBIDDEN_SYNCED_RESOURCES.includes(r) || /^(taskruns|runs|customruns)(\.|$)/.test(r)) {
            say(
                "kcp.resources",
                `must not include '${r}': the syncer never syncs TaskRuns or Runs (pipeline-service PR #122, PR #294).`,
            );
        }
    }
    if ((environment === "prod" || environment === "staging") && !DIGEST_PINNED.test(s.osp.catalog.image)) {
        say(
            "osp.catalog.image",
            `must be pinned by digest in ${environment}, like quay.io/org/repo@sha256:<64 hex digits>; ` +
                "a tag can move under you (constraint 2: the CatalogSource image is pinned by digest).",
        );
    }
    if (s.kcp.enabled && s.kcp.credentials === "externalSecret" && s.secrets.mode === "generated") {
        say(
            "kcp.credentials",
            "'externalSecret' takes the syncer's kcp token from Vault through an ExternalSecret, which the generated secrets mode does not create; set kcp.credentials to serviceAccountToken, secrets.mode to external, or kcp.enabled to false.",
        );
    }
    out.push(...kcpProblems(s));
    if (durationSeconds(s.secrets.pacRefreshInterval) > 300) {
        say(
            "secrets.pacRefreshInterval",
            "must be 5m or less, so a rotated GitHub App secret reaches PaC quickly (architecture/pipeline-service.md).",
        );
    }
    if (s.secrets.mode === "generated" && environment !== "dev" && environment !== "local") {
        say(
            "secrets.mode",
            `'generated' is for dev only; ${environment} must take every secret from an ExternalSecret (constraint 24).`,
        );
    }
    // The pipelines controller shards its keys into buckets and each replica leads whole buckets, so a replica
    // beyond the bucket count leads none and does no work (infra-deployments update-tekton-config-performance.yaml
    // @4cb50a81 runs buckets >= replicas; the tekton-performance-floor policy checks the same in staging and prod).
    const perf = s.tekton.performance;
    if (perf.buckets < perf.replicas) {
        say(
            "tekton.performance.buckets",
            `must be at least tekton.performance.replicas (${perf.replicas}), not ${perf.buckets}: each ` +
                "controller replica leads whole buckets, so with fewer buckets than replicas some replicas own no work; raise buckets " +
                "(upstream runs twice the replicas) or lower replicas.",
        );
    }
    if (s.tekton.webhook.minReplicas > s.tekton.webhook.maxReplicas) {
        say("tekton.webhook.minReplicas", "must not exceed tekton.webhook.maxReplicas.");
    }
    if (s.tekton.proxyWebhook.minReplicas > s.tekton.proxyWebhook.maxReplicas) {
        say("tekton.proxyWebhook.minReplicas", "must not exceed tekton.proxyWebhook.maxReplicas.");
    }
    // The targeted operator: known to the checker, agreeing with channel and catalog, able to honour every setting.
    out.push(...operatorVersionProblems(s));
    const ca = s.results.enabled ? caBundleProblem(s.results.database.caBundle) : undefined;
    if (ca) say("results.database.caBundle", ca);
    const resultsStore = s.results.secretStore;
    const admits =
        resultsStore && resultsStore !== s.secretStore.name ? sharedStoreNamespaces(resultsStore) : undefined;
    if (s.results.enabled && s.secrets.mode === "external" && admits && !admits.includes("openshift-pipelines")) {
        say(
            "results.secretStore",
            `'${resultsStore}' admits only ${admits.join(", ")} (its upstream conditions, lib/secretStores.ts), ` +
                "not openshift-pipelines, where the operator runs Results and reads its DB and S3 Secrets; ESO would never sync them. " +
                `Leave results.secretStore unset (the stack's own store, ${s.secretStore.name}) or name a store that admits openshift-pipelines.`,
        );
    }
    // After a catalog change each cluster waits for its Subscription's installedCSV (lib/fleet.ts expectedCsvOf).
    const csv = expectedCsvOf(s);
    if (csv === undefined && s.readiness.waitFor && (environment === "prod" || environment === "staging")) {
        say(
            "osp.expectedCsv",
            `osp.catalog.image '${s.osp.catalog.image}' is not a known index (lib/operatorVersions.ts ` +
                "KNOWN_CATALOGS), so the CSV it installs is not known and the rollout cannot wait for it before the next ring: set " +
                'osp.expectedCsv to the CSV the index ships (README "Which operator version a catalog ships"), e.g. ' +
                `${s.osp.subscription.package}.v5.0.5-854.`,
        );
    }
    if (s.osp.expectedCsv && !s.osp.expectedCsv.startsWith(`${s.osp.subscription.package}.v`)) {
        say(
            "osp.expectedCsv",
            `'${s.osp.expectedCsv}' is not a CSV of package ${s.osp.subscription.package} ` +
                `(osp.subscription.package); OLM names it ${s.osp.subscription.package}.v<version>.`,
        );
    }
    if (environment === "prod" && !/^[0-9a-f]{40}$/.test(s.gitops.revision)) {
        say(
            "gitops.revision",
            `must be a 40-hex commit in prod, not '${s.gitops.revision}': a branch or tag moves under ` +
                "the root Application (upstream-conformance §1.5, the pin-everything rule of constraint 38).",
        );
    }
    return out;
}
