/**
 * Tekton Results on one compute cluster: the DB and S3 credentials, the Results configuration and its
 * ServiceMonitors.
 *
 * Type token: `pipeline-service:tekton:TektonResults`.
 *
 * Mechanism: the operator's own. Results is configured through TektonConfig `spec.result` (exposed as
 * {@link TektonResults.tektonConfigResult} and passed to {@link OpenShiftPipelines}), not through hand-written
 * Deployments as pipeline-service did with kustomize. ADR-0009 ("Pipeline Service via Operator") asks for every
 * Tekton API to come through the operator, and the operator owns upgrades of the Results API and watcher.
 * Consequences: Results runs in `openshift-pipelines` (the operator's target namespace), so its secrets live there.
 *
 * Values (pipeline-service@5b34974a `operator/gitops/argocd/pipeline-service/tekton-results/config.env`,
 * `api-db-config.yaml`, `api-s3-config.yaml`, `watcher-config.yaml`; constraints 30, 32, 33):
 * `DB_SSLMODE=verify-full` with the CA mounted at `db_sslrootcert`, auth on (`AUTH_DISABLE=false`), logs in S3
 * (`LOGS_API=true`, `LOGS_TYPE=S3`), watcher `completed_run_grace_period` (10m prod, 2h dev).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Settings } from "../lib/config.js";
import { awaitAnnotations, customResource, CustomResourceSpec, labels, PIPELINES_NAMESPACE, Readiness } from "../lib/k8s.js";
import { buildExternalSecret, vaultKey } from "./externalSecrets.js";

export const RESULTS_DB_SECRET = "tekton-results-database";
export const RESULTS_S3_SECRET = "tekton-results-s3";
/** Where the DB CA bundle is mounted in the Results API (`DB_SSLROOTCERT` upstream). */
export const RESULTS_DB_CA_PATH = "/etc/tls/db/tekton-results-db-ca.pem";
/** ConfigMap holding the DB CA bundle (upstream: `rds-root-crt`, the public AWS RDS bundle). */
export const RESULTS_DB_CA_CONFIGMAP = "rds-root-crt";

/** TektonConfig `spec.result`. */
export function buildResultSpec(r: Settings["results"]): Record<string, unknown> {
    return {
        disabled: false,
        is_external_db: true,
        db_host: r.database.host,
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
        watcher: { completed_run_grace_period: r.watcherGracePeriod },
        options: {
            deployments: {
                "tekton-results-api": {
                    spec: {
                        template: {
                            spec: {
                                volumes: [{ name: "db-tls-ca", configMap: { name: RESULTS_DB_CA_CONFIGMAP } }],
                                containers: [{
                                    name: "api",
                                    volumeMounts: [{ name: "db-tls-ca", mountPath: "/etc/tls/db", readOnly: true }],
                                }],
                            },
                        },
                    },
                },
            },
        },
    };
}

/** ServiceMonitors for the Results API and watcher, through kube-rbac-proxy with a bearer token (constraint 33). */
export function buildResultsServiceMonitors(): CustomResourceSpec[] {
    const monitor = (name: string, port: string, component: string): CustomResourceSpec => ({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
            name,
            namespace: PIPELINES_NAMESPACE,
            labels: labels(),
            annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
        },
        spec: {
            endpoints: [{
                port,
                scheme: "https",
                path: "/metrics",
                interval: "15s",
                bearerTokenSecret: { name: "metrics-reader", key: "token" },
                tlsConfig: { insecureSkipVerify: true },
            }],
            namespaceSelector: { matchNames: [PIPELINES_NAMESPACE] },
            selector: { matchLabels: { "app.kubernetes.io/name": component } },
        },
    });
    return [
        monitor("tekton-results-api", "metrics", "tekton-results-api"),
        monitor("tekton-results-watcher", "watchermetrics", "tekton-results-watcher"),
    ];
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
    /** TektonConfig `spec.result` for {@link OpenShiftPipelines}. */
    public readonly tektonConfigResult: Record<string, unknown>;
    public readonly databaseSecret: pulumi.CustomResource;
    public readonly s3Secret?: k8s.apiextensions.CustomResource;
    public readonly serviceMonitors: k8s.apiextensions.CustomResource[];
    /** Token Secret of the `metrics-reader` ServiceAccount the ServiceMonitors use. */
    public readonly metricsReaderToken: k8s.core.v1.Secret;
    /** The generated DB password (generated mode only), a secret Output. */
    public readonly databasePassword?: pulumi.Output<string>;

    constructor(name: string, args: TektonResultsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:tekton:TektonResults", name, {}, opts);
        const { provider, settings: s, readiness } = args;
        const child = { parent: this, provider, dependsOn: args.dependsOn };
        const r = s.results;
        this.tektonConfigResult = buildResultSpec(r);

        if (s.secrets.mode === "generated") {
            // Dev only: an in-cluster PostgreSQL gets a generated password (constraint 48).
            const pw = new random.RandomPassword(`${name}-db-password`, { length: 32, special: false }, { parent: this });
            this.databasePassword = pulumi.secret(pw.result);
            this.databaseSecret = new k8s.core.v1.Secret(`${name}-db-secret`, {
                metadata: { name: RESULTS_DB_SECRET, namespace: PIPELINES_NAMESPACE, labels: labels() },
                stringData: { "db.user": "tekton", "db.password": this.databasePassword, "db.host": r.database.host, "db.name": r.database.name },
            }, child);
        } else {
            this.databaseSecret = customResource(`${name}-db-secret`, buildExternalSecret({
                    name: RESULTS_DB_SECRET,
                    namespace: PIPELINES_NAMESPACE,
                    storeName: s.secretStore.name,
                    key: vaultKey(s.secretStore.keyPrefix, r.database.vaultKey),
                    refreshInterval: r.refreshInterval,
                    target: { name: RESULTS_DB_SECRET, creationPolicy: "Owner", deletionPolicy: "Delete" },
                    readiness,
                }), child);
            // The operator reads S3 settings from one Secret with the S3_* keys; the template maps Vault's keys.
            this.s3Secret = customResource(`${name}-s3-secret`, buildExternalSecret({
                name: RESULTS_S3_SECRET,
                namespace: PIPELINES_NAMESPACE,
                storeName: s.secretStore.name,
                key: vaultKey(s.secretStore.keyPrefix, r.s3.vaultKey),
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
            }), child);
        }

        // The ServiceMonitors scrape through kube-rbac-proxy with the `metrics-reader` token (results
        // `service-monitor.yaml`): a ServiceAccount, its token Secret and a ClusterRole for /metrics.
        const reader = new k8s.core.v1.ServiceAccount(`${name}-metrics-reader`, {
            metadata: { name: "metrics-reader", namespace: PIPELINES_NAMESPACE, labels: labels() },
        }, child);
        this.metricsReaderToken = new k8s.core.v1.Secret(`${name}-metrics-reader-token`, {
            metadata: {
                name: "metrics-reader",
                namespace: PIPELINES_NAMESPACE,
                labels: labels(),
                annotations: { "kubernetes.io/service-account.name": "metrics-reader", ...awaitAnnotations(readiness) },
            },
            type: "kubernetes.io/service-account-token",
        }, { ...child, dependsOn: [reader] });
        const role = new k8s.rbac.v1.ClusterRole(`${name}-metrics-reader-role`, {
            metadata: { name: "tekton-results-service-metrics-reader", labels: labels() },
            rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
        }, child);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-metrics-reader-binding`, {
            metadata: { name: "prometheus-tekton-results-service-metrics-reader", labels: labels() },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: "metrics-reader", namespace: PIPELINES_NAMESPACE }],
        }, child);
        this.serviceMonitors = buildResultsServiceMonitors().map((m) =>
            customResource(`${name}-${m.metadata.name}`, m, { ...child, dependsOn: [this.metricsReaderToken] }));

        this.registerOutputs({
            tektonConfigResult: this.tektonConfigResult,
            databaseSecret: this.databaseSecret,
            s3Secret: this.s3Secret,
            serviceMonitors: this.serviceMonitors,
            metricsReaderToken: this.metricsReaderToken,
            databasePassword: this.databasePassword,
        });
    }
}
