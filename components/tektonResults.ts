/**
 * Tekton Results on one compute cluster, operator-managed: the TektonConfig `spec.result` block, and everything
 * the operator's Results API and watcher need that the operator does not create.
 *
 * Type token: `pipeline-service:tekton:TektonResults`.
 *
 * Model (README "Tekton Results"): ONE owner, the operator. Results is configured through TektonConfig `spec.result`
 * (exposed as {@link TektonResults.tektonConfigResult} and passed to {@link OpenShiftPipelines}); nothing here
 * deploys a Results API or watcher. ADR-0009 ("Pipeline Service via Operator") asks for every Tekton API through
 * the operator, and the operator owns their upgrades. infra-deployments HEAD does the opposite (`result.disabled:
 * true` plus hand-written Deployments in `tekton-results`, upstream-conformance §1.2); this program never does both.
 * The operator runs Results in its target namespace `openshift-pipelines`, so every object below lives there.
 *
 * Creates (when `results.enabled`):
 *   - ConfigMap `rds-root-crt` (key `tekton-results-db-ca.pem`) from `results.database.caBundle`, mounted into the API
 *     at `/etc/tls/db` through `result.options` (infra-deployments base/certificates/tekton-results@e952b760);
 *   - ExternalSecrets `tekton-results-database` and `tekton-results-s3` from `results.secretStore` (default
 *     `appsre-vault` outside local, infra-deployments base/external-secrets/tekton-results/*.yaml@e952b760), or in the
 *     dev-only generated mode a generated DB Secret;
 *   - ServiceMonitors on the ports the operator's Results Services expose: api `prometheus`, watcher `metrics`, over
 *     http (tektoncd/operator:cmd/openshift/operator/kodata/openshift-monitoring/05-results-monitoring.yaml@v0.81.0);
 *   - Route `tekton-results` to `tekton-results-api-service:server`, reencrypt, with the long timeouts of
 *     OCPBUGS-16375 (infra HEAD Route tekton-results; inventory §2.4 `api-route.yaml`); the operator's own Route
 *     (`route_enabled`, operator >= 0.79, edge by default) is turned off so the Route has one owner.
 *
 * Values: `DB_SSLMODE=verify-full` with the CA at `db_sslrootcert`, auth on, logs in S3, credentials from the Secret
 * (`db.user`, `db.password`, and `db.host` unless `results.database.host` is set), watcher `check_owner=false` and
 * `completed_run_grace_period` (pipeline-service@5b34974a tekton-results/*.yaml; constraints 30, 32, 33), retention
 * through the retention-policy agent's ConfigMap (infra HEAD: 30 days).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Settings } from "../lib/config.js";
import { buildExternalSecret, vaultKey } from "../lib/externalSecret.js";
import {
    ARGOCD_SKIP_DRY_RUN,
    awaitAnnotations,
    customResource,
    CustomResourceSpec,
    labels,
    PIPELINES_NAMESPACE,
    Readiness,
} from "../lib/k8s.js";
import { supports } from "../lib/operatorVersions.js";

export const RESULTS_DB_SECRET = "tekton-results-database";
export const RESULTS_S3_SECRET = "tekton-results-s3";
/** Where the DB CA bundle is mounted in the Results API (`DB_SSLROOTCERT` upstream). */
export const RESULTS_DB_CA_DIR = "/etc/tls/db";
export const RESULTS_DB_CA_KEY = "tekton-results-db-ca.pem";
export const RESULTS_DB_CA_PATH = `${RESULTS_DB_CA_DIR}/${RESULTS_DB_CA_KEY}`;
/** ConfigMap holding the DB CA bundle (upstream: `rds-root-crt`). */
export const RESULTS_DB_CA_CONFIGMAP = "rds-root-crt";
/** The operator's Results API Service and its ports (tektoncd/operator pkg/reconciler/openshift/tektonresult/extension.go@v0.81.0). */
export const RESULTS_API_SERVICE = "tekton-results-api-service";
/** The retention-policy agent's ConfigMap (tektoncd/results config; infra HEAD). */
export const RESULTS_RETENTION_CONFIGMAP = "tekton-results-config-results-retention-policy";

/** The store the Results credentials come from, and whether their keys are full keys in it. */
export function resultsStore(s: Settings): { name: string; absoluteKeys: boolean } {
    const own = s.secretStore.name;
    const name = s.results.secretStore ?? own;
    return { name, absoluteKeys: name !== own };
}

/**
 * TektonConfig `spec.result` for the targeted operator: the operator-managed Results described above, `{disabled:
 * true}` when Results is off, or undefined when the operator has no `result` block (< 0.75).
 */
export function buildResultSpec(s: Settings): Record<string, unknown> | undefined {
    const v = s.osp.operatorVersion;
    const r = s.results;
    if (!supports(v, "result")) return undefined;
    if (!r.enabled) return { disabled: true };
    const hostFromSecret = r.database.host === undefined;
    const out: Record<string, unknown> = {
        disabled: false,
        is_external_db: true,
        ...(hostFromSecret ? {} : { db_host: r.database.host }),
        db_port: r.database.port,
        db_name: r.database.name,
        db_sslmode: "verify-full",
        db_sslrootcert: RESULTS_DB_CA_PATH,
        db_enable_auto_migration: true,
        db_secret_name: RESULTS_DB_SECRET,
        db_secret_user_key: "db.user",
        db_secret_password_key: "db.password",
        auth_disable: false,
        auth_impersonate: true,
        logs_api: true,
        logs_type: "S3",
        secret_name: RESULTS_S3_SECRET,
        prometheus_histogram: true,
    };
    // One owner for the Route: this component's (reencrypt, long timeouts), not the operator's edge Route.
    if (supports(v, "result.route_enabled")) out.route_enabled = false;
    if (supports(v, "result.watcher")) {
        out.watcher = { completed_run_grace_period: r.watcherGracePeriod, check_owner: r.watcherCheckOwner };
    }
    const api: Record<string, unknown> = {
        name: "api",
        volumeMounts: [{ name: "db-tls-ca", mountPath: RESULTS_DB_CA_DIR, readOnly: true }],
    };
    // Upstream reads the host from the RDS credentials (`db.host`); an explicit env wins over the operator's envFrom.
    if (hostFromSecret)
        api.env = [{ name: "DB_HOST", valueFrom: { secretKeyRef: { name: RESULTS_DB_SECRET, key: "db.host" } } }];
    out.options = {
        configMaps: {
            [RESULTS_RETENTION_CONFIGMAP]: {
                data: { maxRetention: String(r.retention.maxRetentionDays), runAt: r.retention.runAt },
            },
        },
        deployments: {
            "tekton-results-api": {
                spec: {
                    template: {
                        spec: {
                            volumes: [{ name: "db-tls-ca", configMap: { name: RESULTS_DB_CA_CONFIGMAP } }],
                            containers: [api],
                        },
                    },
                },
            },
        },
    };
    return out;
}

/**
 * Secret {@link RESULTS_DB_SECRET} for the `generated` secret mode (dev only, an in-cluster PostgreSQL; constraint
 * 48): `db.user` `tekton`, `db.password`, `db.name` and, when set, `db.host`, the keys the Results API reads.
 * `password` should be a Pulumi secret Output so it stays encrypted in state.
 */
export function buildGeneratedDbSecret(r: Settings["results"], password: pulumi.Input<string>): k8s.core.v1.SecretArgs {
    return {
        metadata: { name: RESULTS_DB_SECRET, namespace: PIPELINES_NAMESPACE, labels: labels() },
        stringData: {
            "db.user": "tekton",
            "db.password": password,
            "db.name": r.database.name,
            ...(r.database.host ? { "db.host": r.database.host } : {}),
        },
    };
}

/** ConfigMap `rds-root-crt` with the DB CA bundle. */
export function buildDbCaConfigMap(r: Settings["results"]): k8s.types.input.core.v1.ConfigMap {
    return {
        metadata: {
            name: RESULTS_DB_CA_CONFIGMAP,
            namespace: PIPELINES_NAMESPACE,
            labels: labels({ "app.kubernetes.io/part-of": "tekton-results" }),
        },
        data: { [RESULTS_DB_CA_KEY]: r.database.caBundle },
    };
}

/**
 * ServiceMonitors for the Results API (port `prometheus`) and watcher (port `metrics`), over http, selecting the
 * operator's Services as the operator's own monitors do (05-results-monitoring.yaml@v0.81.0).
 */
export function buildResultsServiceMonitors(): CustomResourceSpec[] {
    const monitor = (name: string, port: string, component: string): CustomResourceSpec => ({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
            name,
            namespace: PIPELINES_NAMESPACE,
            labels: labels(),
            annotations: { ...ARGOCD_SKIP_DRY_RUN },
        },
        spec: {
            endpoints: [{ port, scheme: "http", path: "/metrics", interval: "15s" }],
            jobLabel: "app",
            namespaceSelector: { matchNames: [PIPELINES_NAMESPACE] },
            selector: {
                matchLabels: { "app.kubernetes.io/name": component, "app.kubernetes.io/part-of": "tekton-results" },
            },
        },
    });
    return [
        monitor("tekton-results-api", "prometheus", "tekton-results-api"),
        monitor("tekton-results-watcher", "metrics", "tekton-results-watcher"),
    ];
}

/**
 * Route `tekton-results` to the API's `server` port (REST and gRPC), reencrypt against the service-CA certificate the
 * operator's Service carries, HSTS, and the 24h timeout and health-check interval of OCPBUGS-16375 (long-lived log
 * streams). Source: infra HEAD Route tekton-results; pipeline-service tekton-results `api-route.yaml` (inventory §2.4).
 */
export function buildResultsRoute(r: Settings["results"]): CustomResourceSpec {
    return {
        apiVersion: "route.openshift.io/v1",
        kind: "Route",
        metadata: {
            name: "tekton-results",
            namespace: PIPELINES_NAMESPACE,
            labels: labels({ "app.kubernetes.io/part-of": "tekton-results" }),
            annotations: {
                "haproxy.router.openshift.io/hsts_header": "max-age=63072000",
                "haproxy.router.openshift.io/timeout": "86410s",
                "router.openshift.io/haproxy.health.check.interval": "86400s",
                ...(r.route.host ? {} : { "openshift.io/host.generated": "true" }),
            },
        },
        spec: {
            ...(r.route.host ? { host: r.route.host } : {}),
            port: { targetPort: "server" },
            tls: { termination: "reencrypt", insecureEdgeTerminationPolicy: "Redirect" },
            to: { kind: "Service", name: RESULTS_API_SERVICE, weight: 100 },
            wildcardPolicy: "None",
        },
    };
}

export interface TektonResultsArgs {
    provider: k8s.Provider;
    clusterName: string;
    settings: Settings;
    readiness: Readiness;
    /** Resources the secrets wait for: the namespace and the ClusterSecretStore. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class TektonResults extends pulumi.ComponentResource {
    /** TektonConfig `spec.result` for {@link OpenShiftPipelines} (undefined for an operator without `result`). */
    public readonly tektonConfigResult: Record<string, unknown> | undefined;
    /** The DB credentials (ExternalSecret, or a generated Secret); an empty component step when Results is off. */
    public readonly databaseSecret: pulumi.Resource;
    public readonly s3Secret?: k8s.apiextensions.CustomResource;
    public readonly caBundle?: k8s.core.v1.ConfigMap;
    public readonly serviceMonitors: k8s.apiextensions.CustomResource[];
    public readonly route?: k8s.apiextensions.CustomResource;
    /** The generated DB password (generated mode only), a secret Output. */
    public readonly databasePassword?: pulumi.Output<string>;

    constructor(name: string, args: TektonResultsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:tekton:TektonResults", name, {}, opts);
        const { provider, settings: s, readiness } = args;
        const child = { parent: this, provider, dependsOn: args.dependsOn };
        const r = s.results;
        this.tektonConfigResult = buildResultSpec(s);
        this.serviceMonitors = [];

        if (!r.enabled) {
            // Nothing to create; the component itself stands in for the DB secret other components wait on.
            this.databaseSecret = this;
            this.registerOutputs({
                tektonConfigResult: this.tektonConfigResult,
                serviceMonitors: this.serviceMonitors,
            });
            return;
        }

        this.caBundle = new k8s.core.v1.ConfigMap(`${name}-db-ca`, buildDbCaConfigMap(r), child);

        if (s.secrets.mode === "generated") {
            // Dev only: an in-cluster PostgreSQL gets a generated password (constraint 48).
            const pw = new random.RandomPassword(
                `${name}-db-password`,
                { length: 32, special: false },
                { parent: this },
            );
            this.databasePassword = pulumi.secret(pw.result);
            this.databaseSecret = new k8s.core.v1.Secret(
                `${name}-db-secret`,
                buildGeneratedDbSecret(r, this.databasePassword),
                child,
            );
        } else {
            const store = resultsStore(s);
            const key = (k: string) => (store.absoluteKeys ? k : vaultKey(s.secretStore.keyPrefix, k));
            this.databaseSecret = customResource(
                `${name}-db-secret`,
                buildExternalSecret({
                    name: RESULTS_DB_SECRET,
                    namespace: PIPELINES_NAMESPACE,
                    storeName: store.name,
                    key: key(r.database.vaultKey),
                    refreshInterval: r.refreshInterval,
                    target: { name: RESULTS_DB_SECRET, creationPolicy: "Owner", deletionPolicy: "Delete" },
                    readiness,
                }),
                child,
            );
            // The operator reads S3 settings from one Secret with the S3_* keys; the template maps Vault's keys
            // (the terraform-resources output: aws_access_key_id, aws_secret_access_key, aws_region, bucket, endpoint).
            this.s3Secret = customResource(
                `${name}-s3-secret`,
                buildExternalSecret({
                    name: RESULTS_S3_SECRET,
                    namespace: PIPELINES_NAMESPACE,
                    storeName: store.name,
                    key: key(r.s3.vaultKey),
                    refreshInterval: r.refreshInterval,
                    target: {
                        name: RESULTS_S3_SECRET,
                        creationPolicy: "Owner",
                        deletionPolicy: "Delete",
                        template: {
                            data: {
                                S3_ACCESS_KEY_ID: "{{ .aws_access_key_id }}",
                                S3_SECRET_ACCESS_KEY: "{{ .aws_secret_access_key }}",
                                S3_REGION: "{{ .aws_region }}",
                                S3_BUCKET_NAME: "{{ .bucket }}",
                                S3_ENDPOINT: "https://{{ .endpoint }}",
                                S3_HOSTNAME_IMMUTABLE: "true",
                                S3_MULTI_PART_SIZE: "5242880",
                            },
                        },
                    },
                    readiness,
                }),
                child,
            );
        }

        this.serviceMonitors = buildResultsServiceMonitors().map((m) =>
            customResource(`${name}-${m.metadata.name}`, m, child),
        );
        if (r.route.enabled) this.route = customResource(`${name}-route`, buildResultsRoute(r), child);

        this.registerOutputs({
            tektonConfigResult: this.tektonConfigResult,
            databaseSecret: this.databaseSecret,
            s3Secret: this.s3Secret,
            caBundle: this.caBundle,
            serviceMonitors: this.serviceMonitors,
            route: this.route,
            databasePassword: this.databasePassword,
        });
    }
}
