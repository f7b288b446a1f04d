/**
 * The OpenShift Pipelines operator (OSP) through OLM, and its TektonConfig.
 *
 * Type token: `pipeline-service:olm:OpenShiftPipelines`.
 * Creates, in order:
 *   1. CatalogSource `custom-operators` (grpc, index image pinned by digest, registryPoll), waited on until its
 *      gRPC connection is `READY`;
 *   2. optionally an ImageDigestMirrorSet for the index's registries (ADR-0009 Consequences);
 *   3. the Subscription `openshift-pipelines-operator` to package `openshift-pipelines-operator-rh` in
 *      `openshift-operators`, whose source is that CatalogSource, waited on until `AtLatestKnown`;
 *   4. the TektonConfig `config` (cluster-scoped), waited on until `Ready`.
 * Sources: pipeline-service@5b34974a `operator/gitops/argocd/pipeline-service/openshift-pipelines/`
 * (`osp-nightly-catalog-source.yaml`, `openshift-operator.yaml`, `tekton-config.yaml`) and the infra-deployments
 * patches listed per field in {@link buildTektonConfig} (inventory §2.2, §2.3; constraints 1–2, 6–16).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Settings } from "../lib/config.js";
import { awaitAnnotations, customResource, CustomResourceSpec, labels, PIPELINES_NAMESPACE, Readiness } from "../lib/k8s.js";
import { OperatorSubscription } from "./operatorSubscription.js";

export interface OpenShiftPipelinesArgs {
    provider: k8s.Provider;
    /** The cluster's resolved settings. */
    settings: Settings;
    /** TektonConfig `spec.result`, from {@link TektonResults}. */
    result: Record<string, unknown>;
    /** Whether Chains generates its own signing secret (dev's generated secrets mode). */
    chainsGenerateSigningSecret: boolean;
    readiness: Readiness;
}

/** `sha256:<hex>` of a digest-pinned image reference. */
export function imageDigest(image: string): string {
    const at = image.indexOf("@");
    return at < 0 ? "" : image.slice(at + 1);
}

/** CatalogSource `custom-operators` in `openshift-marketplace` (constraint 2). */
export function buildCatalogSource(osp: Settings["osp"], readiness: Readiness): CustomResourceSpec {
    return {
        apiVersion: "operators.coreos.com/v1alpha1",
        kind: "CatalogSource",
        metadata: {
            name: osp.catalog.name,
            namespace: osp.catalog.namespace,
            labels: labels(),
            annotations: {
                "argocd.argoproj.io/sync-wave": "0",
                ...awaitAnnotations(readiness, "jsonpath={.status.connectionState.lastObservedState}=READY"),
            },
        },
        spec: {
            sourceType: "grpc",
            image: osp.catalog.image,
            displayName: osp.catalog.displayName,
            publisher: "Pipeline Service",
            updateStrategy: { registryPoll: { interval: osp.catalog.pollInterval } },
        },
    };
}

/** ImageDigestMirrorSet for the catalog's registries, or undefined when no mirrors are configured. */
export function buildImageDigestMirrorSet(osp: Settings["osp"]): CustomResourceSpec | undefined {
    if (!osp.imageDigestMirrors.length) return undefined;
    return {
        apiVersion: "config.openshift.io/v1",
        kind: "ImageDigestMirrorSet",
        metadata: { name: `${osp.catalog.name}-mirrors`, labels: labels() },
        spec: {
            imageDigestMirrors: osp.imageDigestMirrors.map((m) => ({ source: m.source, mirrors: m.mirrors, mirrorSourcePolicy: "AllowContactingSource" })),
        },
    };
}

/** PaC console links into the Hybrid Application Console (ADR-0009, ADR-0019; infra 2024 values). */
export function pacSettings(githubAppName: string, hacConsoleUrl: string): Record<string, string> {
    const base = hacConsoleUrl.replace(/\/+$/, "");
    return {
        "application-name": githubAppName,
        "custom-console-name": githubAppName,
        "custom-console-url": base,
        "custom-console-url-namespace": `${base}/ns/{{ namespace }}`,
        "custom-console-url-pr-details": `${base}/ns/{{ namespace }}/pipelinerun/{{ pr }}`,
        "custom-console-url-pr-tasklog": `${base}/ns/{{ namespace }}/pipelinerun/{{ pr }}/logs/{{ task }}`,
    };
}

/** TektonConfig `spec.pruner`: disabled, or a valid backup pruner (constraints 8–9). */
export function buildPruner(p: Settings["tekton"]["operatorPruner"]): Record<string, unknown> {
    if (p.disabled) return { disabled: true };
    const out: Record<string, unknown> = { disabled: false, resources: p.resources, schedule: p.schedule };
    if (p.keep !== undefined) out.keep = p.keep;
    else out["keep-since"] = p.keepSince;
    return out;
}

/**
 * The TektonConfig `config`.
 *
 * - `targetNamespace: openshift-pipelines`, `profile: all` (constraint 6);
 * - `params: createRbacResource "false"` (ADR-0025, `dfd5c9a`);
 * - `pipeline`: default SA `appstudio-pipeline` (`1147039`), resolvers and OCI bundles on (`396027c`), step actions
 *   (`dc05b6f`), performance (infra `update-tekton-config-performance.yaml`), webhook HPA;
 * - `trigger.disabled: true` unless Triggers are enabled in config (ADR-0009 "Disable Tekton Triggers");
 * - `pruner.disabled: true` because Tekton Results prunes (ADR-0009, `6c63f92`), and `tektonpruner.disabled: true`
 *   (infra HEAD);
 * - `chain`: in-toto, OCI storage, no transparency log (`tekton-config.yaml` comments, constraint 14);
 * - `platforms.openshift.pipelinesAsCode`: enabled, application-name = custom-console-name = the GitHub App name,
 *   console URLs on HAC (constraints 11–13);
 * - `result`: the Tekton Results configuration from {@link TektonResults}, through the operator (ADR-0009).
 */
export function buildTektonConfig(s: Settings, result: Record<string, unknown>, readiness: Readiness,
    chainsGenerateSigningSecret = false): CustomResourceSpec {
    const perf = s.tekton.performance;
    return {
        apiVersion: "operator.tekton.dev/v1alpha1",
        kind: "TektonConfig",
        metadata: {
            name: "config",
            labels: labels(),
            annotations: {
                "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
                "argocd.argoproj.io/sync-wave": "0",
                ...awaitAnnotations(readiness, "condition=Ready"),
            },
        },
        spec: {
            targetNamespace: PIPELINES_NAMESPACE,
            profile: "all",
            params: [{ name: "createRbacResource", value: "false" }],
            pipeline: {
                "default-service-account": s.tekton.defaultServiceAccount,
                "enable-api-fields": "alpha",
                "enable-bundles-resolver": true,
                "enable-cluster-resolver": true,
                "enable-git-resolver": true,
                "enable-hub-resolver": true,
                "enable-tekton-oci-bundles": true,
                "enable-step-actions": true,
                performance: {
                    "disable-ha": perf.disableHa,
                    buckets: perf.buckets,
                    replicas: perf.replicas,
                    "threads-per-controller": perf.threadsPerController,
                    "kube-api-qps": perf.kubeApiQps,
                    "kube-api-burst": perf.kubeApiBurst,
                },
                options: {
                    disabled: false,
                    horizontalPodAutoscalers: {
                        "tekton-pipelines-webhook": {
                            spec: {
                                minReplicas: s.tekton.webhook.minReplicas,
                                maxReplicas: s.tekton.webhook.maxReplicas,
                                metrics: [
                                    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 100 } } },
                                    { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 100 } } },
                                ],
                            },
                        },
                    },
                },
            },
            trigger: { disabled: !s.tekton.triggers.enabled },
            pruner: buildPruner(s.tekton.operatorPruner),
            // The event-based pruner is off too (infra HEAD); the v0.81 CRD requires `global-config` to be present.
            tektonpruner: { disabled: true, "global-config": {} },
            chain: {
                disabled: false,
                generateSigningSecret: chainsGenerateSigningSecret,
                "artifacts.pipelinerun.format": "in-toto",
                "artifacts.pipelinerun.storage": "oci",
                "artifacts.oci.storage": "oci",
                "artifacts.taskrun.storage": "",
                "transparency.enabled": "false",
            },
            platforms: {
                openshift: {
                    pipelinesAsCode: {
                        enable: true,
                        settings: pacSettings(s.githubAppName, s.hacConsoleUrl),
                    },
                },
            },
            result,
        },
    };
}

export class OpenShiftPipelines extends pulumi.ComponentResource {
    public readonly catalogSource: k8s.apiextensions.CustomResource;
    public readonly imageDigestMirrorSet?: k8s.apiextensions.CustomResource;
    public readonly operator: OperatorSubscription;
    public readonly tektonConfig: k8s.apiextensions.CustomResource;
    /** The index image's digest, `sha256:<hex>`. */
    public readonly catalogDigest: pulumi.Output<string>;
    /** The Subscription's channel. */
    public readonly channel: pulumi.Output<string>;

    constructor(name: string, args: OpenShiftPipelinesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-service:olm:OpenShiftPipelines", name, {}, opts);
        const { provider, settings: s, readiness } = args;
        const child = { parent: this, provider };

        this.catalogSource = customResource(`${name}-catalog`, buildCatalogSource(s.osp, readiness), child);
        const idms = buildImageDigestMirrorSet(s.osp);
        if (idms) this.imageDigestMirrorSet = customResource(`${name}-idms`, idms, child);

        const sub = s.osp.subscription;
        this.operator = new OperatorSubscription(`${name}-operator`, {
            provider,
            name: sub.name,
            namespace: sub.namespace,
            package: sub.package,
            channel: sub.channel,
            // An Output: the Subscription waits for the CatalogSource (and its readiness) before it is created.
            source: this.catalogSource.metadata.name,
            sourceNamespace: s.osp.catalog.namespace,
            installPlanApproval: sub.installPlanApproval,
            startingCSV: sub.startingCSV,
            readiness,
        }, { parent: this, dependsOn: this.imageDigestMirrorSet ? [this.imageDigestMirrorSet] : [] });

        this.tektonConfig = customResource(`${name}-tektonconfig`,
            buildTektonConfig(s, args.result, readiness, args.chainsGenerateSigningSecret),
            { ...child, dependsOn: [this.operator] });

        this.catalogDigest = this.catalogSource.metadata.apply(() => imageDigest(s.osp.catalog.image));
        this.channel = pulumi.output(sub.channel);

        this.registerOutputs({
            catalogSource: this.catalogSource,
            imageDigestMirrorSet: this.imageDigestMirrorSet,
            operator: this.operator,
            tektonConfig: this.tektonConfig,
            catalogDigest: this.catalogDigest,
            channel: this.channel,
        });
    }
}
