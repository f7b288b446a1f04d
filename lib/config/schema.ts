/**
 * The zod schemas of the stack configuration and the TypeScript types derived from them: the settings layer
 * ({@link SettingsSchema}, and {@link SettingsOverrideSchema} for an override layer), a kubeconfig reference, a
 * compute cluster and the stack's top-level keys. The value wrappers build on the pure rules of ./rules.ts and carry
 * the message each bad value gets. lib/config.ts re-exports the public part.
 */
import { z } from "zod";
import { DNS_LABEL } from "../naming.js";
import { CLUSTER_STATES, type ClusterState, CSV_NAME } from "../fleet.js";
import { OPERATOR_VERSION_FORMAT } from "../operatorVersions.js";
import { DIGEST_PINNED, GO_DURATION, IMAGE_REFERENCE, PINNED_IMAGE } from "./rules.js";
import { PlatformAccess, PlatformAccessSchema, Pool, PoolSchema, Tenant, TenantSchema } from "./tenants.js";

export const PROJECT = "pipeline-service";

// ---------------------------------------------------------------------------------------------------------------
// Value rules live in lib/config/rules.ts (pure: the policy pack imports them without zod or the SDK).

const nonEmpty = (what: string) =>
    z
        .string({ error: `must be a string (${what})` })
        .trim()
        .min(1, `must not be empty (${what})`);
const httpsUrl = (what: string) =>
    z
        .string({ error: `must be an https URL (${what})` })
        .regex(/^https:\/\/[^\s/$.?#][^\s]*$/, `must be an https URL (${what})`);
const imageReference = (what: string) =>
    z
        .string({ error: `must be an image reference (${what})` })
        .regex(
            IMAGE_REFERENCE,
            `must be an image reference with a tag or a digest, like quay.io/org/repo@sha256:<64 hex digits> (${what})`,
        );
const digestImage = (what: string) =>
    z
        .string({ error: `must be an image reference pinned by digest (${what})` })
        .regex(
            DIGEST_PINNED,
            `must be pinned by digest, like quay.io/org/repo@sha256:<64 hex digits> (${what}); a tag can move under you`,
        );
const pinnedImage = (what: string) =>
    z
        .string({ error: `must be an image pinned by digest or commit-SHA tag (${what})` })
        .regex(
            PINNED_IMAGE,
            `must be pinned by digest (repo@sha256:<64 hex>) or by a git-commit tag (repo:<7-40 hex>) (${what}); ` +
                "a floating tag such as :latest or :v1.2 can move under you",
        );
const duration = (what: string) =>
    z
        .string({ error: `must be a Go duration such as 10m (${what})` })
        .regex(GO_DURATION, `must be a positive Go duration such as 5m, 1h or 1h30m (${what})`);

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

export function settingsShape(partial: boolean) {
    return {
        /**
         * What the root Argo CD Application tracks (inventory §2.1). No default: it must be content this program
         * does not manage (README "GitOps and delivery modes"); upstream's own tree is deprecated and declares the
         * objects Pulumi applies (upstream-conformance §1.5). In `gitops` delivery mode the Application tracks
         * `<path>/<cluster>`, where Pulumi renders the platform. Prod pins `revision` to a 40-hex commit.
         */
        gitops: obj(
            {
                repoUrl: httpsUrl("the GitOps repository URL; no default: set it to your team's GitOps repository"),
                revision: nonEmpty("a branch, tag or commit; no default, prod needs a 40-hex commit"),
                path: nonEmpty("a directory in the repository; no default"),
            },
            partial,
        ),
        /** The GitHub App name; PaC `application-name` and `custom-console-name` must equal it (ADR-0009). */
        githubAppName: nonEmpty("the GitHub App's name"),
        /** Base URL of the Hybrid Application Console that PaC links point at (ADR-0019). */
        hacConsoleUrl: httpsUrl(
            "the Hybrid Application Console base URL, e.g. https://console.redhat.com/preview/application-pipeline",
        ),
        osp: obj(
            {
                /**
                 * The tektoncd/operator version the stack targets, `MAJOR.MINOR.PATCH` without `v` (e.g. `0.81.0`). It must be
                 * one the TektonConfig checker exists for and agree with the channel and known catalog (lib/operatorVersions.ts);
                 * the builders emit only the TektonConfig fields this version knows.
                 */
                operatorVersion: z
                    .string({ error: "must be an operator version such as 0.81.0" })
                    .regex(
                        OPERATOR_VERSION_FORMAT,
                        "must be a tektoncd/operator version MAJOR.MINOR.PATCH without a leading v, such as 0.81.0",
                    ),
                /**
                 * The ClusterServiceVersion OLM installs from `catalog.image` (`<package>.v<version>`). After a catalog change
                 * each cluster waits, bounded by `readiness.timeoutSeconds`, until its Subscription's `status.installedCSV`
                 * is this CSV (lib/fleet.ts expectedCsvOf); unset: derived from a known index (lib/operatorVersions.ts
                 * KNOWN_CATALOGS). Never older than the one the stack last deployed (roll forward only).
                 */
                expectedCsv: z
                    .string({ error: "must be a ClusterServiceVersion name" })
                    .regex(
                        CSV_NAME,
                        "must be a ClusterServiceVersion name <package>.v<MAJOR>.<MINOR>.<PATCH>[-<build>], such as openshift-pipelines-operator-rh.v5.0.5-854",
                    )
                    .optional(),
                catalog: obj(
                    {
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
                    },
                    partial,
                ),
                subscription: obj(
                    {
                        name: z.string().regex(DNS_LABEL, "must be a DNS label"),
                        namespace: z.string().regex(DNS_LABEL, "must be a DNS label"),
                        package: nonEmpty("the OLM package name, openshift-pipelines-operator-rh"),
                        channel: nonEmpty("an OLM channel such as latest or pipelines-1.15"),
                        startingCSV: z
                            .string()
                            .regex(
                                /^[a-z0-9-]+\.v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/,
                                "must be a ClusterServiceVersion name such as openshift-pipelines-operator-rh.v1.15.0",
                            )
                            .optional(),
                        installPlanApproval: z.enum(["Automatic", "Manual"], { error: "must be Automatic or Manual" }),
                        /**
                         * Subscription `config.env AUTOINSTALL_COMPONENTS`: false, so the operator does not create its own
                         * TektonConfig and the one this program applies is the only one (infra-deployments HEAD).
                         */
                        autoInstallComponents: z.boolean({ error: "must be true or false" }),
                    },
                    partial,
                ),
                /** Optional ImageDigestMirrorSet mirrors for the catalog's registries (ADR-0009 Consequences). */
                imageDigestMirrors: z.array(
                    z.strictObject({
                        source: nonEmpty("a source repository"),
                        mirrors: z.array(nonEmpty("a mirror repository")).min(1, "needs at least one mirror"),
                    }),
                ),
            },
            partial,
        ),
        tekton: obj(
            {
                /** Tekton Triggers are disabled on the platform (ADR-0009 "Disable Tekton Triggers"). */
                triggers: obj({ enabled: z.boolean({ error: "must be true or false" }) }, partial),
                /**
                 * The operator pruner. Disabled because Tekton Results archives and prunes (ADR-0009, `6c63f92`). A
                 * "backup pruner" (`c12b163`, infra #4184) may be enabled with exactly one of keep/keepSince.
                 */
                operatorPruner: obj(
                    {
                        disabled: z.boolean({ error: "must be true or false" }),
                        keep: z.number().int().positive().optional(),
                        keepSince: z.number().int().positive().optional(),
                        schedule: z.string().optional(),
                        resources: z.array(z.string()).optional(),
                    },
                    partial,
                ),
                /**
                 * `spec.pipeline.default-service-account`. Unset (the default): the era's account, see
                 * `defaultServiceAccountOf` in ./defaults.ts (`appstudio-pipeline` by ADR-0025; `pipeline` on a Phase 1
                 * cluster, where it must be `pipeline`).
                 */
                defaultServiceAccount: z.string().regex(DNS_LABEL, "must be a ServiceAccount name").optional(),
                /** `spec.pipeline.performance` (infra `update-tekton-config-performance.yaml`). */
                performance: obj(
                    {
                        disableHa: z.boolean(),
                        buckets: z.number().int().min(1).max(10),
                        replicas: z.number().int().min(1).max(10),
                        threadsPerController: z.number().int().min(1),
                        kubeApiQps: z.number().positive(),
                        kubeApiBurst: z.number().int().positive(),
                        /** `statefulset-ordinals` (operator >= 0.74): the controller runs as a StatefulSet, one bucket set per ordinal. */
                        statefulsetOrdinals: z.boolean(),
                    },
                    partial,
                ),
                /** HorizontalPodAutoscaler bounds for tekton-pipelines-webhook. */
                webhook: obj({ minReplicas: z.number().int().min(1), maxReplicas: z.number().int().min(1) }, partial),
                /** HorizontalPodAutoscaler bounds for tekton-operator-proxy-webhook (infra HEAD: 2 to 6). */
                proxyWebhook: obj(
                    { minReplicas: z.number().int().min(1), maxReplicas: z.number().int().min(1) },
                    partial,
                ),
                /**
                 * Container sizing of the Tekton deployments and StatefulSets, as infra-deployments HEAD sizes them:
                 * `production` (production/base) or `development` (development/); see SIZING in components/openshiftPipelines.ts.
                 */
                sizing: z.enum(["production", "development"], { error: "must be production or development" }),
            },
            partial,
        ),
        results: obj(
            {
                /**
                 * Tekton Results, operator-managed through TektonConfig `spec.result` (README "Tekton Results"): true needs
                 * operator >= 0.81 (`result`, `db_secret_name`, `result.watcher`); false sets `result.disabled: true`.
                 */
                enabled: z.boolean({ error: "must be true or false" }),
                /**
                 * The ClusterSecretStore the DB and S3 credentials come from; their vaultKeys are full keys in it. Unset (the
                 * default everywhere, see ENVIRONMENT_DEFAULTS): the stack's own store (`secretStore.name`, keys under
                 * `secretStore.keyPrefix`). It must admit `openshift-pipelines`, so upstream's `appsre-vault` is refused.
                 */
                secretStore: z.string().regex(DNS_LABEL, "must be a ClusterSecretStore name").optional(),
                database: obj(
                    {
                        /** Unset: DB_HOST comes from the credentials Secret's `db.host` key, as upstream reads it. */
                        host: nonEmpty("the PostgreSQL host").optional(),
                        /**
                         * PEM CA bundle the API verifies the database with (`db_sslmode: verify-full`), shipped as ConfigMap
                         * `rds-root-crt`. Default: the AWS RDS us-east-1 roots infra-deployments ships (lib/rdsCaBundle.ts).
                         */
                        caBundle: z
                            .string({ error: "must be a PEM CA bundle" })
                            .regex(
                                /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/,
                                "must be a PEM CA bundle (one or more -----BEGIN CERTIFICATE----- blocks)",
                            ),
                        port: z.number().int().min(1).max(65535),
                        name: nonEmpty("the database name"),
                        /** Vault key (under the store's path) of the DB credentials; `<prefix>/` is prepended when relative. */
                        vaultKey: nonEmpty("a Vault key"),
                    },
                    partial,
                ),
                s3: obj({ vaultKey: nonEmpty("a Vault key") }, partial),
                /** Watcher `completed_run_grace_period`; must be > 0 (constraint 32, tektoncd/results#514). */
                watcherGracePeriod: z.union([duration("how long the watcher keeps completed runs"), z.literal("0s")], {
                    error: "must be a positive Go duration such as 10m, or 0s (the watcher never deletes; required while kcp.enabled)",
                }),
                refreshInterval: duration("how often ESO refreshes the DB and S3 secrets"),
                /** Watcher `check_owner` (false: store runs whatever owns them; pipeline-service watcher-config.yaml@5b34974a). */
                watcherCheckOwner: z.boolean({ error: "must be true or false" }),
                /** Retention of Results records (retention-policy agent ConfigMap; infra HEAD: 30 days, `5 5 * * 0`). */
                retention: obj(
                    {
                        maxRetentionDays: z.number().int().min(1),
                        runAt: nonEmpty("a cron schedule such as '5 5 * * 0'"),
                    },
                    partial,
                ),
                /** The Results API Route (reencrypt, long timeouts), which the CRT proxy plugin of ADR-0009 reaches it through. */
                route: obj(
                    {
                        enabled: z.boolean(),
                        host: z
                            .string()
                            .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name")
                            .optional(),
                    },
                    partial,
                ),
            },
            partial,
        ),
        /** Tekton Chains (TektonConfig `spec.chain`). */
        chains: obj(
            {
                /** Controller flags, set as container args through `chain.options` (infra HEAD main-pipeline-service-configuration.yaml). */
                threadsPerController: z.number().int().min(1),
                kubeApiQps: z.number().positive(),
                kubeApiBurst: z.number().int().positive(),
            },
            partial,
        ),
        /** Pipelines as Code settings beyond the console links (infra HEAD production/base/update-tekton-config-pac.yaml). */
        pac: obj(
            {
                rememberOkToTest: z.boolean(),
                secretGithubAppTokenScoped: z.boolean(),
                /** `enable-cancel-in-progress-on-pull-requests`: PaC >= 0.36, operator >= 0.77. */
                cancelInProgressOnPullRequests: z.boolean(),
                watcherReplicas: z.number().int().min(1),
                webhookReplicas: z.number().int().min(1),
            },
            partial,
        ),
        secrets: obj(
            {
                /**
                 * `external`: every secret comes from an ExternalSecret (required outside dev, constraint 24).
                 * `generated`: dev only; @pulumi/random generates the webhook secret and DB password.
                 */
                mode: z.enum(["external", "generated"], { error: "must be external or generated" }),
                /** Refresh interval of `pipelines-as-code-secret`; at most 5m (constraint 26). */
                pacRefreshInterval: duration("the PaC secret refresh interval"),
                chainsRefreshInterval: duration("the Chains signing secret refresh interval"),
            },
            partial,
        ),
        /**
         * The ClusterSecretStore PaC, Chains, the gateway and the syncer read from. On RHTAP clusters it is shared
         * (`appsre-stonesoup-vault` admits about 21 namespaces, infra-deployments
         * components/cluster-secret-store/base/appsre-stonesoup-vault-secret-store.yaml@a601cbe7), so by default it is
         * referenced, not taken over (upstream-conformance §1.6).
         */
        secretStore: obj(
            {
                name: z.string().regex(DNS_LABEL, "must be a DNS label"),
                /**
                 * `false` (default): reference existing stores by name and check during preview that they exist on the
                 * cluster. `true`: this program owns the stores this cluster reads from (this one and
                 * `results.secretStore`) and creates them with the backend below, admitting `namespaces` plus its own.
                 */
                manage: z.boolean({ error: "must be true or false" }),
                /** Backend of a managed store: `vault` (appRole, as upstream) or `kubernetes` (a namespace of Secrets; local). */
                provider: z.enum(["vault", "kubernetes"], { error: "must be vault or kubernetes" }),
                vault: obj(
                    {
                        server: httpsUrl("the Vault address"),
                        path: nonEmpty("the KV mount path"),
                        version: z.enum(["v1", "v2"], { error: "must be v1 or v2" }),
                        /** AppRole auth, as upstream's store (`auth.appRole`, appsre-stonesoup-vault-secret-store.yaml@a601cbe7). */
                        appRole: obj(
                            {
                                path: nonEmpty("the AppRole auth mount path, approle upstream"),
                                roleId: nonEmpty("the AppRole RoleID (not a secret; upstream commits it)"),
                                secretRef: obj(
                                    {
                                        name: z.string().regex(DNS_LABEL, "must be a Secret name"),
                                        key: nonEmpty("the key holding the SecretID"),
                                        namespace: z.string().regex(DNS_LABEL, "must be a namespace"),
                                    },
                                    partial,
                                ),
                            },
                            partial,
                        ),
                    },
                    partial,
                ),
                /** The `kubernetes` backend (ESO provider `kubernetes`): Secrets of one namespace, read with a kubeconfig Secret. */
                kubernetes: obj(
                    {
                        remoteNamespace: z.string().regex(DNS_LABEL, "must be a namespace"),
                        authRef: obj(
                            {
                                name: z.string().regex(DNS_LABEL, "must be a Secret name"),
                                key: nonEmpty("the key holding the kubeconfig"),
                                namespace: z.string().regex(DNS_LABEL, "must be a namespace"),
                            },
                            partial,
                        ),
                    },
                    partial,
                ),
                /** Namespaces a managed store admits besides this program's consumers (a shared store's other tenants). */
                namespaces: z.array(z.string().regex(DNS_LABEL, "must be a namespace")),
                /**
                 * Prefix of every key, e.g. `production/pipeline-service`. A `kubernetes` store's keys are Secret names, which
                 * cannot hold `/`: there the prefix ends with `.` and keys are joined with `.` (lib/externalSecret.ts vaultKey).
                 */
                keyPrefix: nonEmpty("a Vault key prefix"),
            },
            partial,
        ),
        /**
         * The External Secrets operator through OLM, where the cluster does not have it yet: an OperatorGroup and the
         * Subscription `external-secrets-operator` with Manual approval and a pinned startingCSV
         * (infra-deployments components/external-secrets-operator/base/subscription.yaml@a601cbe7).
         */
        externalSecrets: obj(
            {
                installOperator: z.boolean({ error: "must be true or false" }),
                namespace: z.string().regex(DNS_LABEL, "must be a namespace"),
                channel: nonEmpty("an OLM channel, stable upstream"),
                source: z.string().regex(DNS_LABEL, "must be a CatalogSource name"),
                sourceNamespace: z.string().regex(DNS_LABEL, "must be a namespace"),
                startingCSV: z
                    .string()
                    .regex(
                        /^[a-z0-9-]+\.v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/,
                        "must be a ClusterServiceVersion name such as external-secrets-operator.v0.8.1",
                    ),
            },
            partial,
        ),
        kcp: obj(
            {
                enabled: z.boolean(),
                /** kcp workspace path the compute clusters register in (`root:<org>:compute`). */
                workspace: z
                    .string()
                    .regex(
                        /^root(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
                        "must be a kcp workspace path like root:pipeline-service:compute",
                    ),
                /**
                 * The kcp server URL the syncer connects to (its kubeconfig server). Default: the server of
                 * `kcpKubeconfig` (its file and context) without its `/clusters/...` path, as `kubectl kcp workload sync`
                 * derives it (kcp pkg/cliplugins/workload/plugin/sync.go:239-268@v0.11.0).
                 */
                serverUrl: httpsUrl("the kcp server URL").optional(),
                syncerImage: pinnedImage("the kcp syncer image"),
                /** Resources the syncer syncs; never taskruns or runs (constraint 42). */
                resources: z.array(nonEmpty("a resource such as pipelineruns.tekton.dev")).min(1),
                /**
                 * Where the syncer's kcp token comes from. `serviceAccountToken` (default): the program creates the kcp-side
                 * ServiceAccount and a `kubernetes.io/service-account-token` Secret for it in kcp, and builds the syncer's
                 * kubeconfig Secret from that token as a Pulumi secret. `externalSecret`: an ExternalSecret renders it from
                 * the Vault key `<prefix>/<cluster>/kcp-syncer` (`token`, `ca.crt`), for teams that mint tokens elsewhere.
                 */
                credentials: z.enum(["serviceAccountToken", "externalSecret"], {
                    error: "must be serviceAccountToken or externalSecret",
                }),
                /**
                 * Tenant workspaces that run PipelineRuns on the compute clusters: each gets an APIBinding to
                 * `<workspace>:kubernetes` and a Placement, as `kubectl kcp bind compute` v0.11.0 creates them. Each must be
                 * below the platform's workspace parent (`root:pipeline-service:tenant-a` for `root:pipeline-service:compute`).
                 */
                consumerWorkspaces: z.array(
                    z
                        .string({ error: "must be a kcp workspace path" })
                        .regex(
                            /^root(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/,
                            "must be a kcp workspace path like root:pipeline-service:tenant-a (lower-case segments joined by ':', below root)",
                        ),
                ),
                /**
                 * Pruning finished PipelineRuns in the tenant and consumer workspaces (`npm run prune-workspaces`,
                 * lib/workspacePruner.ts), which nothing else does in Phase 1. Off by default; when on, exactly one of
                 * `keep` (the newest N finished runs per namespace stay) and `keepSince` (runs finished longer ago go);
                 * at most `maxDeletions` (default 500) deletions per run.
                 */
                workspacePruner: obj(
                    {
                        enabled: z.boolean({ error: "must be true or false" }),
                        keep: z
                            .number({ error: "must be a number of runs" })
                            .int("must be a whole number of runs")
                            .min(1, "must be at least 1 (the newest runs per namespace that stay)")
                            .max(100000, "must be at most 100000")
                            .optional(),
                        keepSince: duration("how long finished runs stay").optional(),
                        maxDeletions: z
                            .number({ error: "must be a number of runs" })
                            .int("must be a whole number of runs")
                            .min(1, "must be at least 1 (deletions per pass)")
                            .max(100000, "must be at most 100000"),
                    },
                    partial,
                ),
            },
            partial,
        ),
        metricsExporter: obj({ image: pinnedImage("the pipeline-service-exporter image") }, partial),
        gatewayImages: obj(
            {
                /** Required only for gateway.mode single; upstream pinned haproxytech/haproxy-debian by digest. */
                haproxy: pinnedImage("the HAProxy image").optional(),
                sprayproxy: pinnedImage("the SprayProxy image"),
                /** kube-rbac-proxy in front of SprayProxy (`kube-rbac-proxy` and `kube-rbac-metrics`, sprayproxy config/sprayproxy.yaml@f1afe076). */
                kubeRbacProxy: pinnedImage("the kube-rbac-proxy image"),
            },
            partial,
        ),
        readiness: obj(
            {
                /** Wait for real readiness with `pulumi.com/waitFor`; off only where no operators run (the local stack). */
                waitFor: z.boolean(),
                timeoutSeconds: z.number().int().min(30).max(7200),
            },
            partial,
        ),
        /** A post-deploy check per cluster through @pulumi/command (no Kubernetes API involved). */
        postDeployCheck: obj({ enabled: z.boolean() }, partial),
        /**
         * Draining a cluster (`clusters[].state: draining`): how long the update waits, in seconds, until no PipelineRun
         * runs there any more before it fails (the next up waits again). 0: do not wait (the removal still refuses while
         * runs are there).
         */
        drain: obj(
            { timeoutSeconds: z.number({ error: "must be a number of seconds" }).int().min(0).max(86400) },
            partial,
        ),
    };
}

export const SettingsSchema = z.strictObject(settingsShape(false));
export const SettingsOverrideSchema = obj(settingsShape(true), true);
export type Settings = z.infer<typeof SettingsSchema>;

/** How a compute cluster's kubernetes Provider finds its credentials. */
export const KubeconfigSchema = z
    .strictObject({
        /** A kubeconfig file, relative to the project root; default: the ambient KUBECONFIG. Never stored in state. */
        path: z.string().min(1).optional(),
        /** The context in that kubeconfig. */
        context: z.string().min(1).optional(),
        /** A secret config key (`pulumi config set --secret <key> "$(cat kubeconfig)"`) holding the kubeconfig. */
        secretConfigKey: z
            .string()
            .regex(/^[A-Za-z0-9_.:-]+$/, "must be a config key name")
            .optional(),
    })
    .refine((k) => k.context !== undefined || k.secretConfigKey !== undefined, {
        message: "needs a context (with an optional path) or a secretConfigKey",
    })
    .refine((k) => !(k.path !== undefined && k.secretConfigKey !== undefined), {
        message: "path and secretConfigKey are mutually exclusive",
    });
export type KubeconfigRef = z.infer<typeof KubeconfigSchema>;

export const ClusterSchema = z.strictObject({
    name: z
        .string()
        .regex(DNS_LABEL, "must be a DNS label (lower-case letters, digits and '-', at most 63 characters)"),
    kubeconfig: KubeconfigSchema,
    /**
     * Rollout ring, a whole number from 0 with no upper bound (ring numbers need not be consecutive): the clusters of a
     * ring are changed only after every cluster of the nearest lower ring is ready.
     */
    ring: z
        .number({ error: "must be a ring number (a whole number from 0)" })
        .int("must be a whole number from 0")
        .min(0, "must be a whole number from 0"),
    /** The cluster's apps domain; PaC's route is `pipelines-as-code-controller-openshift-pipelines.<appsDomain>`. */
    appsDomain: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name such as apps.example.com"),
    overrides: z.unknown().optional(),
    /**
     * Lift the staging/prod protections of this cluster's platform objects (lib/protection.ts), a step of removing
     * it: `pulumi up` with `decommission: true` while `state: draining`, then `state: removed` (README "Draining and
     * removing a compute cluster"). Default false.
     */
    decommission: z.boolean({ error: "must be true or false" }).optional(),
    /**
     * Lifecycle (README "Draining and removing a compute cluster"): `active` (default); `draining`: its SyncTarget is
     * unschedulable, the gateway drops it, and the update waits (`drain.timeoutSeconds`) until no PipelineRun runs
     * there; `removed`: its platform objects are deleted (refused while runs are there), the entry can then go.
     */
    state: z.enum(CLUSTER_STATES, { error: "must be active, draining or removed" }).optional(),
    /**
     * The resource pool the cluster belongs to (`pools[].name`): its SyncTarget carries the label
     * `pipeline-service.io/pool` (Phase 1), and the tenants of that pool get their namespaces here (ADR-0009).
     * Unset: the cluster serves no tenant (lib/config/tenants.ts).
     */
    pool: z
        .string({ error: "must name a pool of pipeline-service:pools" })
        .regex(DNS_LABEL, "must be a pool name (a DNS label)")
        .optional(),
});
export type ClusterInput = z.infer<typeof ClusterSchema>;

export const StackSchema = z.strictObject({
    environment: z.enum(["local", "dev", "staging", "prod"], { error: "must be local, dev, staging or prod" }),
    gateway: z.strictObject({
        /** `single`: HAProxy on the only cluster (ADR-0001). `fanout`: SprayProxy on a host cluster (ADR-0031). */
        mode: z.enum(["single", "fanout"], { error: "must be single or fanout" }),
        hostname: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a DNS name"),
        /**
         * The cluster that runs the fan-out gateway; default: the first cluster of the lowest ring. With
         * `hostKubeconfig` it names that separate host cluster instead (default `gateway-host`) and must not be a
         * compute cluster.
         */
        hostCluster: z.string().regex(DNS_LABEL, "must be a DNS label").optional(),
        /**
         * Credentials of a host cluster that is not a compute cluster (ADR-0009, ADR-0031: SprayProxy runs on the CRT
         * host cluster; infra-deployments argo-cd-apps/base/host/sprayproxy@22396f90). The gateway gets its own Provider.
         */
        hostKubeconfig: KubeconfigSchema.optional(),
    }),
    kcpKubeconfig: KubeconfigSchema.optional(),
    /**
     * Who applies the platform (README "GitOps and delivery modes"). `direct` (default): Pulumi applies everything,
     * Argo CD syncs only `gitops.path`, the GitOps repository's other content. `gitops`: Pulumi applies only the
     * bootstrap (GitOps operator, root Application, secret-store references, kcp objects) and renders the rest to
     * `<renderDir>/<gitops.path>/<cluster>/`, a checkout of the GitOps repository, which Argo CD syncs.
     */
    delivery: z
        .strictObject({
            mode: z.enum(["direct", "gitops"], { error: "must be direct or gitops" }),
            /** The GitOps repository checkout, relative to the project root; required in gitops mode. */
            renderDir: z.string().min(1, "must not be empty (a directory)").optional(),
        })
        .optional(),
    clusters: z.array(z.unknown()).min(1, "needs at least one compute cluster"),
    /**
     * Per-ring settings, keyed by ring number: `rings.<n>.overrides` has the shape of a cluster's overrides and is merged
     * between the environment and the cluster's own overrides (defaults ← environment ← ring ← cluster), so ring 1 can
     * carry a new catalog digest while later rings keep theirs.
     */
    rings: z
        .record(
            z.string().regex(/^(0|[1-9][0-9]*)$/, "must be a ring number (a whole number from 0, no leading zeros)"),
            z.strictObject({ overrides: z.unknown().optional() }),
        )
        .optional(),
    /** Resource pools (lib/config/tenants.ts): named sets of compute clusters that tenants are placed on. */
    pools: z.array(PoolSchema).optional(),
    /** Tenants (lib/config/tenants.ts): onboarding is adding an entry, offboarding removing it. */
    tenants: z.array(TenantSchema).optional(),
    /** Platform roles: the SRE group and the Results readers (lib/config/tenants.ts). */
    access: PlatformAccessSchema.optional(),
});

/** A fully resolved compute cluster: its own settings after `defaults ← environment ← overrides`. */
export interface ResolvedCluster extends Omit<ClusterInput, "overrides" | "state"> {
    /** `clusters[].state`, `active` when unset. */
    state: ClusterState;
    settings: Settings;
    /** The stack-level index in `clusters[]`, for messages. */
    index: number;
}

export interface PipelineServiceConfig {
    stack: string;
    environment: "local" | "dev" | "staging" | "prod";
    /** `hostKubeconfig` set: the gateway runs on its own host cluster `hostCluster`, not on a compute cluster. */
    gateway: { mode: "single" | "fanout"; hostname: string; hostCluster: string; hostKubeconfig?: KubeconfigRef };
    kcpKubeconfig?: KubeconfigRef;
    /** Delivery mode (default `direct`); `renderDir` is set in gitops mode. */
    delivery: { mode: "direct" | "gitops"; renderDir?: string };
    /** Environment-level settings (defaults ← environment). */
    settings: Settings;
    clusters: ResolvedCluster[];
    /** Resource pools (none by default). */
    pools: Pool[];
    /** Tenants with their defaults filled in (none by default). */
    tenants: Tenant[];
    /** Platform roles, with the default SRE group. */
    access: PlatformAccess;
}
