/**
 * Typed stack configuration for Pipeline Service.
 *
 * Layers, merged in this order (later wins, see lib/merge.ts):
 *   1. {@link DEFAULTS}: the values upstream Pipeline Service deployed (sources cited per field);
 *   2. the stack's `pipeline-service:*` keys (the environment);
 *   3. `clusters[i].overrides` (one compute cluster).
 *
 * Every layer is validated with zod before any resource is registered. A bad value raises
 * {@link ConfigError}, whose message names each bad key as it is written in `Pulumi.<stack>.yaml`
 * (e.g. `pipeline-service:clusters[1].overrides.osp.catalog.image`) and says how to fix it. Secret values are
 * never echoed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DeepPartial, isPlainObject, mergeLayers } from "./merge.js";
import { DNS_LABEL } from "./naming.js";

export const PROJECT = "pipeline-service";

// ---------------------------------------------------------------------------------------------------------------
// Value rules

/** An image reference pinned by digest: `<repository>@sha256:<64 hex>`. */
export const DIGEST_PINNED = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)+(:[\w][\w.-]{0,127})?@sha256:[a-f0-9]{64}$/;
/**
 * An image pinned by digest, or by an immutable git-commit tag (7 to 40 hex digits), the two forms upstream ships
 * (constraint 38: CatalogSource by digest; Results, exporter and SprayProxy by commit-SHA tag).
 */
export const PINNED_IMAGE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)+((:[\w][\w.-]{0,127})?@sha256:[a-f0-9]{64}|:[a-f0-9]{7,40})$/;
/** A Go duration such as `10m`, `1h30m`, `2h`; strictly positive. */
export const GO_DURATION = /^(?!(0+[hms])+$)([0-9]+(h|m|s))+$/;
/** Resources the kcp syncer must never sync (inventory §2.8, constraint 42). */
export const FORBIDDEN_SYNCED_RESOURCES = ["taskruns.tekton.dev", "runs.tekton.dev", "customruns.tekton.dev"];

/** Seconds in a Go duration (`1h30m` → 5400). */
export function durationSeconds(d: string): number {
    let total = 0;
    for (const m of d.matchAll(/([0-9]+)(h|m|s)/g)) total += Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as "h" | "m" | "s"];
    return total;
}

const nonEmpty = (what: string) => z.string({ error: `must be a string (${what})` }).trim().min(1, `must not be empty (${what})`);
const httpsUrl = (what: string) =>
    z.string({ error: `must be an https URL (${what})` }).regex(/^https:\/\/[^\s/$.?#][^\s]*$/, `must be an https URL (${what})`);
/** Any image reference with a tag or a digest; how strictly it must be pinned is an environment rule. */
export const IMAGE_REFERENCE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9._-]+)+((:[\w][\w.-]{0,127})(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;
const imageReference = (what: string) =>
    z.string({ error: `must be an image reference (${what})` }).regex(IMAGE_REFERENCE,
        `must be an image reference with a tag or a digest, like quay.io/org/repo@sha256:<64 hex digits> (${what})`);
const digestImage = (what: string) =>
    z.string({ error: `must be an image reference pinned by digest (${what})` }).regex(DIGEST_PINNED,
        `must be pinned by digest, like quay.io/org/repo@sha256:<64 hex digits> (${what}); a tag can move under you`);
const pinnedImage = (what: string) =>
    z.string({ error: `must be an image pinned by digest or commit-SHA tag (${what})` }).regex(PINNED_IMAGE,
        `must be pinned by digest (repo@sha256:<64 hex>) or by a git-commit tag (repo:<7-40 hex>) (${what}); ` +
        "a floating tag such as :latest or :v1.2 can move under you");
const duration = (what: string) =>
    z.string({ error: `must be a Go duration such as 10m (${what})` }).regex(GO_DURATION,
        `must be a positive Go duration such as 5m, 1h or 1h30m (${what})`);

type Shape = Record<string, z.ZodType>;
/** A strict object whose fields are all optional when `partial` (an override layer). */
function obj<S extends Shape>(shape: S, partial: boolean) {
    if (!partial) return z.strictObject(shape);
    const opt: Record<string, z.ZodType> = {};
    for (const [k, v] of Object.entries(shape)) opt[k] = v.optional();
    return z.strictObject(opt) as unknown as z.ZodObject<S>;
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas. `partial` builds the override-layer variant: every field optional, unknown keys still rejected.

function settingsShape(partial: boolean) {
    return {
        /** GitOps repository the root Argo CD Application tracks (inventory §2.1). */
        gitops: obj({
            repoUrl: httpsUrl("the GitOps repository URL"),
            revision: nonEmpty("a branch, tag or commit"),
            path: nonEmpty("a directory in the repository"),
        }, partial),
        /** The GitHub App name; PaC `application-name` and `custom-console-name` must equal it (ADR-0009). */
        githubAppName: nonEmpty("the GitHub App's name"),
        /** Base URL of the Hybrid Application Console that PaC links point at (ADR-0019). */
        hacConsoleUrl: httpsUrl("the Hybrid Application Console base URL, e.g. https://console.redhat.com/preview/application-pipeline"),
        osp: obj({
            catalog: obj({
                name: z.string().regex(DNS_LABEL, "must be a DNS label"),
                namespace: z.string().regex(DNS_LABEL, "must be a DNS label"),
                /**
                 * The OSP index image. Pinned by digest in staging and prod (constraint 2); dev and local may follow a
                 * tag such as the nightly `v4.14-candidate` (the tag upstream's update-osp-nightly workflow resolves),
                 * which the policy pack reports as advisory there.
                 */
                image: imageReference("the OSP index image"),
                displayName: nonEmpty("the catalog's display name"),
                pollInterval: duration("how often OLM polls the index"),
            }, partial),
            subscription: obj({
                name: z.string().regex(DNS_LABEL, "must be a DNS label"),
                namespace: z.string().regex(DNS_LABEL, "must be a DNS label"),
                package: nonEmpty("the OLM package name, openshift-pipelines-operator-rh"),
                channel: nonEmpty("an OLM channel such as latest or pipelines-1.15"),
                startingCSV: z.string().regex(/^[a-z0-9-]+\.v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/,
                    "must be a ClusterServiceVersion name such as openshift-pipelines-operator-rh.v1.15.0").optional(),
                installPlanApproval: z.enum(["Automatic", "Manual"], { error: "must be Automatic or Manual" }),
            }, partial),
            /** Optional ImageDigestMirrorSet mirrors for the catalog's registries (ADR-0009 Consequences). */
            imageDigestMirrors: z.array(z.strictObject({
                source: nonEmpty("a source repository"),
                mirrors: z.array(nonEmpty("a mirror repository")).min(1, "needs at least one mirror"),
            })),
        }, partial),
        tekton: obj({
            /** Tekton Triggers are disabled on the platform (ADR-0009 "Disable Tekton Triggers"). */
            triggers: obj({ enabled: z.boolean({ error: "must be true or false" }) }, partial),
            /**
             * The operator pruner. Disabled because Tekton Results archives and prunes (ADR-0009, `6c63f92`). A
             * "backup pruner" (`c12b163`, infra #4184) may be enabled with exactly one of keep/keepSince.
             */
            operatorPruner: obj({
                disabled: z.boolean({ error: "must be true or false" }),
                keep: z.number().int().positive().optional(),
                keepSince: z.number().int().positive().optional(),
                schedule: z.string().optional(),
                resources: z.array(z.string()).optional(),
            }, partial),
            /** `spec.pipeline.default-service-account` (ADR-0025). */
            defaultServiceAccount: z.string().regex(DNS_LABEL, "must be a ServiceAccount name"),
            /** `spec.pipeline.performance` (infra `update-tekton-config-performance.yaml`). */
            performance: obj({
                disableHa: z.boolean(),
                buckets: z.number().int().min(1).max(10),
                replicas: z.number().int().min(1).max(10),
                threadsPerController: z.number().int().min(1),
                kubeApiQps: z.number().positive(),
                kubeApiBurst: z.number().int().positive(),
            }, partial),
            /** HorizontalPodAutoscaler bounds for tekton-pipelines-webhook. */
            webhook: obj({ minReplicas: z.number().int().min(1), maxReplicas: z.number().int().min(1) }, partial),
        }, partial),
        results: obj({
            database: obj({
                host: nonEmpty("the PostgreSQL host"),
                port: z.number().int().min(1).max(65535),
                name: nonEmpty("the database name"),
                /** Vault key (under the store's path) of the DB credentials; `<prefix>/` is prepended when relative. */
                vaultKey: nonEmpty("a Vault key"),
            }, partial),
            s3: obj({ vaultKey: nonEmpty("a Vault key") }, partial),
            /** Watcher `completed_run_grace_period`; must be > 0 (constraint 32, tektoncd/results#514). */
            watcherGracePeriod: duration("how long the watcher keeps completed runs"),
            refreshInterval: duration("how often ESO refreshes the DB and S3 secrets"),
        }, partial),
        secrets: obj({
            /**
             * `external`: every secret comes from an ExternalSecret (required outside dev, constraint 24).
             * `generated`: dev only; @pulumi/random generates the webhook secret and DB password.
             */
            mode: z.enum(["external", "generated"], { error: "must be external or generated" }),
            /** Refresh interval of `pipelines-as-code-secret`; at most 5m (constraint 26). */
            pacRefreshInterval: duration("the PaC secret refresh interval"),
            chainsRefreshInterval: duration("the Chains signing secret refresh interval"),
        }, partial),
        secretStore: obj({
            name: z.string().regex(DNS_LABEL, "must be a DNS label"),
            vault: obj({
                server: httpsUrl("the Vault address"),
                path: nonEmpty("the KV mount path"),
                version: z.enum(["v1", "v2"], { error: "must be v1 or v2" }),
                authMountPath: nonEmpty("the Vault Kubernetes auth mount path"),
                role: nonEmpty("the Vault role"),
            }, partial),
            /** Prefix of every Vault key, e.g. `production/pipeline-service`. */
            keyPrefix: nonEmpty("a Vault key prefix"),
        }, partial),
        kcp: obj({
            enabled: z.boolean(),
            /** kcp workspace path the compute clusters register in (`root:<org>:compute`). */
            workspace: z.string().regex(/^root(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "must be a kcp workspace path like root:pipeline-service:compute"),
            /** The kcp front proxy URL the syncer connects to (its kubeconfig server, without `/clusters/...`). */
            serverUrl: httpsUrl("the kcp server URL").optional(),
            syncerImage: pinnedImage("the kcp syncer image"),
            /** Resources the syncer syncs; never taskruns or runs (constraint 42). */
            resources: z.array(nonEmpty("a resource such as pipelineruns.tekton.dev")).min(1),
        }, partial),
        metricsExporter: obj({ image: pinnedImage("the pipeline-service-exporter image") }, partial),
        gatewayImages: obj({
            /** Required only for gateway.mode single; upstream pinned haproxytech/haproxy-debian by digest. */
            haproxy: pinnedImage("the HAProxy image").optional(),
            sprayproxy: pinnedImage("the SprayProxy image"),
        }, partial),
        readiness: obj({
            /** Wait for real readiness with `pulumi.com/waitFor`; off only where no operators run (the local stack). */
            waitFor: z.boolean(),
            timeoutSeconds: z.number().int().min(30).max(7200),
        }, partial),
        /** A post-deploy check per cluster through @pulumi/command (no Kubernetes API involved). */
        postDeployCheck: obj({ enabled: z.boolean() }, partial),
    };
}

export const SettingsSchema = z.strictObject(settingsShape(false));
export const SettingsOverrideSchema = obj(settingsShape(true), true);
export type Settings = z.infer<typeof SettingsSchema>;

/** How a compute cluster's kubernetes Provider finds its credentials. */
export const KubeconfigSchema = z.strictObject({
    /** A kubeconfig file, relative to the project root; default: the ambient KUBECONFIG. Never stored in state. */
    path: z.string().min(1).optional(),
    /** The context in that kubeconfig. */
    context: z.string().min(1).optional(),
    /** A secret config key (`pulumi config set --secret <key> "$(cat kubeconfig)"`) holding the kubeconfig. */
    secretConfigKey: z.string().regex(/^[A-Za-z0-9_.:-]+$/, "must be a config key name").optional(),
}).refine((k) => k.context !== undefined || k.secretConfigKey !== undefined, {
    message: "needs a context (with an optional path) or a secretConfigKey",
}).refine((k) => !(k.path !== undefined && k.secretConfigKey !== undefined), {
    message: "path and secretConfigKey are mutually exclusive",
});
export type KubeconfigRef = z.infer<typeof KubeconfigSchema>;

export const ClusterSchema = z.strictObject({
    name: z.string().regex(DNS_LABEL, "must be a DNS label (lower-case letters, digits and '-', at most 63 characters)"),
    kubeconfig: KubeconfigSchema,
    /** Rollout ring: ring N+1 is changed only after every ring-N cluster is ready. */
    ring: z.number().int().min(0).max(9),
    /** The cluster's apps domain; PaC's route is `pipelines-as-code-controller-openshift-pipelines.<appsDomain>`. */
    appsDomain: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name such as apps.example.com"),
    overrides: z.unknown().optional(),
});
export type ClusterInput = z.infer<typeof ClusterSchema>;

export const StackSchema = z.strictObject({
    environment: z.enum(["local", "dev", "staging", "prod"], { error: "must be local, dev, staging or prod" }),
    gateway: z.strictObject({
        /** `single`: HAProxy on the only cluster (ADR-0001). `fanout`: SprayProxy on a host cluster (ADR-0031). */
        mode: z.enum(["single", "fanout"], { error: "must be single or fanout" }),
        hostname: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name"),
        /** The cluster that runs the fan-out gateway; default: the first cluster of the lowest ring. */
        hostCluster: z.string().optional(),
    }),
    kcpKubeconfig: KubeconfigSchema.optional(),
    clusters: z.array(z.unknown()).min(1, "needs at least one compute cluster"),
});

/** A fully resolved compute cluster: its own settings after `defaults ← environment ← overrides`. */
export interface ResolvedCluster extends Omit<ClusterInput, "overrides"> {
    settings: Settings;
    /** The stack-level index in `clusters[]`, for messages. */
    index: number;
}

export interface PipelineServiceConfig {
    stack: string;
    environment: "local" | "dev" | "staging" | "prod";
    gateway: { mode: "single" | "fanout"; hostname: string; hostCluster: string };
    kcpKubeconfig?: KubeconfigRef;
    /** Environment-level settings (defaults ← environment). */
    settings: Settings;
    clusters: ResolvedCluster[];
}

// ---------------------------------------------------------------------------------------------------------------
// Defaults: what upstream deployed. Sources: ../shared/docs/pipeline-service-inventory.md.

export const DEFAULTS: Settings = {
    gitops: {
        // operator/gitops/argocd/pipeline-service.yaml @5b34974a
        repoUrl: "https://github.com/openshift-pipelines/pipeline-service.git",
        revision: "main",
        path: "operator/gitops/argocd/pipeline-service",
    },
    githubAppName: "Red Hat Konflux",
    hacConsoleUrl: "https://console.redhat.com/preview/application-pipeline",
    osp: {
        // osp-nightly-catalog-source.yaml @5b34974a
        catalog: {
            name: "custom-operators",
            namespace: "openshift-marketplace",
            image: "quay.io/openshift-pipeline/openshift-pipelines-pipelines-operator-bundle-container-index@sha256:99d1e1ba1c24d950db7147e26041193304247ed92e88788023b58eb787282a9a",
            displayName: "custom-operators",
            pollInterval: "30m",
        },
        // openshift-operator.yaml @5b34974a
        subscription: {
            name: "openshift-pipelines-operator",
            namespace: "openshift-operators",
            package: "openshift-pipelines-operator-rh",
            channel: "latest",
            installPlanApproval: "Automatic",
        },
        imageDigestMirrors: [],
    },
    tekton: {
        triggers: { enabled: false },
        operatorPruner: { disabled: true },
        defaultServiceAccount: "appstudio-pipeline",
        // update-tekton-config-performance.yaml @4cb50a81
        performance: { disableHa: false, buckets: 1, replicas: 1, threadsPerController: 32, kubeApiQps: 50, kubeApiBurst: 50 },
        webhook: { minReplicas: 2, maxReplicas: 6 },
    },
    results: {
        database: { host: "tekton-results-postgres.tekton-results.svc.cluster.local", port: 5432, name: "tekton_results", vaultKey: "tekton-results/db" },
        s3: { vaultKey: "tekton-results/s3" },
        watcherGracePeriod: "10m",
        refreshInterval: "1h",
    },
    secrets: { mode: "external", pacRefreshInterval: "5m", chainsRefreshInterval: "5m" },
    secretStore: {
        name: "appsre-stonesoup-vault",
        vault: { server: "https://vault.ci.ext.devshift.net", path: "stonesoup", version: "v2", authMountPath: "kubernetes", role: "pipeline-service" },
        keyPrefix: "production/pipeline-service",
    },
    kcp: {
        enabled: true,
        workspace: "root:pipeline-service:compute",
        // kcp v0.11.0 (commit 771cfc8ac154): kcp's syncer-image workflow tags every image with the short commit SHA.
        syncerImage: "ghcr.io/kcp-dev/kcp/syncer:771cfc8",
        // CRS_TO_SYNC @kcp, with taskruns and runs removed (PR #122, PR #294)
        resources: [
            "deployments.apps", "services", "ingresses.networking.k8s.io", "networkpolicies.networking.k8s.io",
            "pipelines.tekton.dev", "pipelineruns.tekton.dev", "tasks.tekton.dev", "repositories.pipelinesascode.tekton.dev",
        ],
    },
    metricsExporter: {
        // metrics-exporter kustomization @5b34974a: newTag 9d2439c8… (a commit-SHA tag)
        image: "quay.io/konflux-ci/pipeline-service-exporter:9d2439c8a77d2ce0527cc5aea3fc6561b7671b48",
    },
    gatewayImages: {
        // infra-deployments components/sprayproxy: newName quay.io/konflux-ci/sprayproxy, newTag f1afe076… (commit SHA)
        sprayproxy: "quay.io/konflux-ci/sprayproxy:f1afe07688592565986ded70ca912d80629c04a0",
    },
    readiness: { waitFor: true, timeoutSeconds: 900 },
    postDeployCheck: { enabled: false },
};

// ---------------------------------------------------------------------------------------------------------------
// Loading and validation

/** Raised for any invalid stack configuration, before a resource is registered. */
export class ConfigError extends Error {
    constructor(readonly stack: string, readonly problems: string[]) {
        super(`invalid stack configuration for stack '${stack}' (nothing was changed):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

/** The top-level keys this project reads; anything else under `pipeline-service:` is a typo. */
export const KNOWN_KEYS = new Set([
    "environment", "gateway", "kcpKubeconfig", "clusters", ...Object.keys(settingsShape(false)),
]);

function keyPath(path: PropertyKey[]): string {
    let out = "";
    for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
    return out;
}

function fixHint(key: string): string {
    return ` Fix: pulumi config set --path '${key}' <value> --stack <stack>, or edit Pulumi.<stack>.yaml.`;
}

function issues(err: z.ZodError, prefix: string): string[] {
    return err.issues.map((i) => {
        const k = [prefix, keyPath(i.path)].filter(Boolean).join(prefix && i.path.length && typeof i.path[0] !== "number" ? "." : "");
        let msg = i.message;
        if (i.code === "unrecognized_keys") msg = `unknown key(s) ${i.keys.map((x) => `'${x}'`).join(", ")}: check the spelling`;
        else if (i.code === "invalid_type" && /received undefined/.test(msg)) msg = "is required";
        return `${PROJECT}:${k}: ${msg}.${fixHint(k)}`;
    });
}

/**
 * Validate raw stack configuration (a plain object of the `pipeline-service:*` keys, already parsed from YAML/JSON)
 * and resolve every cluster. Pure: no Pulumi runtime needed, so unit and property tests call it directly.
 *
 * @throws ConfigError listing every problem, each naming its key and how to fix it.
 */
export function resolveConfig(stack: string, raw: Record<string, unknown>): PipelineServiceConfig {
    const problems: string[] = [];
    for (const k of Object.keys(raw)) {
        if (!KNOWN_KEYS.has(k)) {
            problems.push(`${PROJECT}:${k}: is not a known key; known keys are ${[...KNOWN_KEYS].sort().join(", ")}. ` +
                `Fix: pulumi config rm ${PROJECT}:${k} --stack ${stack}, or correct its spelling.`);
        }
    }
    const top = StackSchema.safeParse({
        environment: raw.environment,
        gateway: raw.gateway,
        kcpKubeconfig: raw.kcpKubeconfig,
        clusters: raw.clusters,
    });
    if (!top.success) problems.push(...issues(top.error, ""));

    const envLayer: Record<string, unknown> = {};
    for (const k of Object.keys(settingsShape(false))) if (raw[k] !== undefined) envLayer[k] = raw[k];
    const envParsed = SettingsOverrideSchema.safeParse(envLayer);
    if (!envParsed.success) problems.push(...issues(envParsed.error, ""));

    if (problems.length || !top.success || !envParsed.success) throw new ConfigError(stack, problems);

    const envSettings = mergeLayers(DEFAULTS, envParsed.data as DeepPartial<Settings>);
    const full = SettingsSchema.safeParse(envSettings);
    if (!full.success) throw new ConfigError(stack, issues(full.error, ""));
    const envCross = crossFieldProblems(full.data, top.data.environment);
    problems.push(...envCross.map((x) => formatProblem(x, "")));
    const envCrossSeen = new Set(envCross.map((x) => `${x.key}: ${x.msg}`));

    const clusters: ResolvedCluster[] = [];
    const names = new Set<string>();
    top.data.clusters.forEach((rawCluster, index) => {
        const c = ClusterSchema.safeParse(rawCluster);
        if (!c.success) {
            problems.push(...issues(c.error, `clusters[${index}]`));
            return;
        }
        if (names.has(c.data.name)) {
            problems.push(`${PROJECT}:clusters[${index}].name: '${c.data.name}' is used by another cluster; cluster names must be unique.` +
                fixHint(`clusters[${index}].name`));
        }
        names.add(c.data.name);
        const ov = SettingsOverrideSchema.safeParse(c.data.overrides ?? {});
        if (!ov.success) {
            problems.push(...issues(ov.error, `clusters[${index}].overrides`));
            return;
        }
        const merged = mergeLayers(full.data, ov.data as DeepPartial<Settings>);
        const settings = SettingsSchema.safeParse(merged);
        if (!settings.success) {
            problems.push(...issues(settings.error, `clusters[${index}].overrides`));
            return;
        }
        // Only problems the overrides introduce; the environment's own were reported above.
        problems.push(...crossFieldProblems(settings.data, top.data.environment)
            .filter((x) => !envCrossSeen.has(`${x.key}: ${x.msg}`))
            .map((x) => formatProblem(x, `clusters[${index}].overrides.`)));
        const { overrides: _ignored, ...rest } = c.data;
        clusters.push({ ...rest, settings: settings.data, index });
    });

    const gw = top.data.gateway;
    if (gw.mode === "single" && top.data.clusters.length !== 1) {
        problems.push(`${PROJECT}:gateway.mode: 'single' routes webhooks to exactly one cluster, but ${top.data.clusters.length} ` +
            `clusters are configured (ADR-0001). Fix: set gateway.mode to fanout, or keep one cluster in clusters[].`);
    }
    let hostCluster = gw.hostCluster;
    if (hostCluster !== undefined && !names.has(hostCluster)) {
        problems.push(`${PROJECT}:gateway.hostCluster: '${hostCluster}' is not one of the configured clusters ` +
            `(${[...names].join(", ")}).${fixHint("gateway.hostCluster")}`);
    }
    if (gw.mode === "single" && clusters.some((c) => !c.settings.gatewayImages.haproxy)) {
        problems.push(`${PROJECT}:gatewayImages.haproxy: gateway.mode single runs HAProxy, so its image must be set, pinned by ` +
            `digest.${fixHint("gatewayImages.haproxy")}`);
    }
    if ((full.data.kcp.enabled || clusters.some((c) => c.settings.kcp.enabled)) && !top.data.kcpKubeconfig) {
        problems.push(`${PROJECT}:kcpKubeconfig: kcp.enabled is true, so the kcp workspace needs credentials: set ` +
            `kcpKubeconfig.context (and path) or kcpKubeconfig.secretConfigKey, or set kcp.enabled to false.`);
    }
    if (problems.length) throw new ConfigError(stack, problems);

    const sorted = [...clusters].sort((a, b) => a.ring - b.ring || a.index - b.index);
    hostCluster ??= sorted[0]!.name;
    return {
        stack,
        environment: top.data.environment,
        gateway: { mode: gw.mode, hostname: gw.hostname, hostCluster },
        kcpKubeconfig: top.data.kcpKubeconfig,
        settings: full.data,
        clusters,
    };
}

interface Problem {
    key: string;
    msg: string;
}

function formatProblem(p: Problem, at: string): string {
    return `${PROJECT}:${at}${p.key}: ${p.msg}${fixHint(at + p.key)}`;
}

/** Rules across fields of one resolved layer. */
function crossFieldProblems(s: Settings, environment: string): Problem[] {
    const out: Problem[] = [];
    const say = (key: string, msg: string) => out.push({ key, msg });
    const p = s.tekton.operatorPruner;
    if (!p.disabled) {
        if ((p.keep === undefined) === (p.keepSince === undefined)) {
            say("tekton.operatorPruner", "an enabled backup pruner needs exactly one of keep or keepSince; the operator " +
                "rejects both (\"expected exactly one, got both\", pipeline-service 6c63f92).");
        }
        if (JSON.stringify(p.resources ?? []) !== JSON.stringify(["pipelinerun"])) {
            say("tekton.operatorPruner.resources", "must be [pipelinerun]: pruning taskruns removes TaskRuns of PipelineRuns still in flight (constraint 9).");
        }
        if (!p.schedule) say("tekton.operatorPruner.schedule", "an enabled backup pruner needs a cron schedule such as '*/30 * * * *'.");
    }
    for (const r of s.kcp.resources) {
        if (FORBIDDEN_SYNCED_RESOURCES.includes(r) || /^(taskruns|runs|customruns)(\.|$)/.test(r)) {
            say("kcp.resources", `must not include '${r}': the syncer never syncs TaskRuns or Runs (pipeline-service PR #122, PR #294).`);
        }
    }
    if ((environment === "prod" || environment === "staging") && !DIGEST_PINNED.test(s.osp.catalog.image)) {
        say("osp.catalog.image", `must be pinned by digest in ${environment}, like quay.io/org/repo@sha256:<64 hex digits>; ` +
            "a tag can move under you (constraint 2: the CatalogSource image is pinned by digest).");
    }
    if (s.kcp.enabled && !s.kcp.serverUrl) {
        say("kcp.serverUrl", "kcp.enabled is true, so the syncer needs the kcp server URL (https://...), or set kcp.enabled to false.");
    }
    if (s.kcp.enabled && s.secrets.mode === "generated") {
        say("kcp.enabled", "the syncer's kcp credentials come from Vault through an ExternalSecret, which the generated secrets mode does not create; set secrets.mode to external or kcp.enabled to false.");
    }
    if (durationSeconds(s.secrets.pacRefreshInterval) > 300) {
        say("secrets.pacRefreshInterval", "must be 5m or less, so a rotated GitHub App secret reaches PaC quickly (architecture/pipeline-service.md).");
    }
    if (s.secrets.mode === "generated" && environment !== "dev" && environment !== "local") {
        say("secrets.mode", `'generated' is for dev only; ${environment} must take every secret from an ExternalSecret (constraint 24).`);
    }
    if (s.tekton.webhook.minReplicas > s.tekton.webhook.maxReplicas) {
        say("tekton.webhook.minReplicas", "must not exceed tekton.webhook.maxReplicas.");
    }
    return out;
}

/**
 * Read the stack's `pipeline-service:*` configuration through the Pulumi runtime and resolve it.
 * Values are read as plain JSON; secret values (kubeconfigs) are read later by {@link kubeconfigSecret} only.
 *
 * @throws pulumi.RunError with the {@link ConfigError} message, so the CLI prints it without a stack trace.
 */
export function loadConfig(): PipelineServiceConfig {
    const raw: Record<string, unknown> = {};
    const all = pulumi.runtime.allConfig();
    const secretKeys = new Set(secretConfigKeys());
    for (const [fullKey, value] of Object.entries(all)) {
        if (!fullKey.startsWith(`${PROJECT}:`)) continue;
        const key = fullKey.slice(PROJECT.length + 1);
        if (secretKeys.has(fullKey)) continue; // referenced by kubeconfig.secretConfigKey; read as a secret later.
        try {
            raw[key] = JSON.parse(value);
        } catch {
            raw[key] = value;
        }
    }
    try {
        const cfg = resolveConfig(pulumi.getStack(), raw);
        for (const ref of [cfg.kcpKubeconfig, ...cfg.clusters.map((c) => c.kubeconfig)]) {
            if (ref?.secretConfigKey) requireSecretKey(ref.secretConfigKey, cfg.stack);
        }
        return cfg;
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}

/** Config keys referenced as `secretConfigKey`; they hold kubeconfigs and are excluded from validation. */
function secretConfigKeys(): string[] {
    const all = pulumi.runtime.allConfig();
    const keys: string[] = [];
    const visit = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (isPlainObject(v)) {
            for (const [k, x] of Object.entries(v)) {
                if (k === "secretConfigKey" && typeof x === "string") keys.push(x.includes(":") ? x : `${PROJECT}:${x}`);
                else visit(x);
            }
        }
    };
    for (const [k, v] of Object.entries(all)) {
        if (!k.startsWith(`${PROJECT}:`)) continue;
        try {
            visit(JSON.parse(v));
        } catch {
            /* a scalar */
        }
    }
    return keys;
}

function requireSecretKey(key: string, stack: string): void {
    const full = key.includes(":") ? key : `${PROJECT}:${key}`;
    if (pulumi.runtime.getConfig(full) === undefined) {
        throw new pulumi.RunError(new ConfigError(stack, [
            `${full}: is referenced as a secretConfigKey but not set. Fix: pulumi config set --secret ${full} "$(cat <kubeconfig>)" --stack ${stack}.`,
        ]).message);
    }
    // `isConfigSecret` is exported by the SDK's runtime but not typed (marked @internal).
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    if (isSecret && !isSecret(full)) {
        throw new pulumi.RunError(new ConfigError(stack, [
            `${full}: holds credentials but is stored in plaintext. Fix: pulumi config set --secret ${full} "$(cat <kubeconfig>)" --stack ${stack}.`,
        ]).message);
    }
}

/** The kubeconfig held by a secret config key, as a secret Output (never plaintext in state or logs). */
export function kubeconfigSecret(key: string): pulumi.Output<string> {
    const [ns, name] = key.includes(":") ? key.split(":", 2) as [string, string] : [PROJECT, key];
    return new pulumi.Config(ns).requireSecret(name);
}
