import type { ResourceValidationPolicy } from "@pulumi/policy";
import { Environment, ENVIRONMENT_PROPERTY, ENVIRONMENTS, ruleConfig } from "../lib/config.js";
import { at, describe, is, isFalse, KIND, num, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = {
    environment: "prod" as Environment,
    floorEnvironments: ["staging", "prod"] as Environment[],
    minThreadsPerController: 32,
    minKubeApiQps: 50,
    minKubeApiBurst: 50,
    minWebhookReplicas: 2,
};

/** Constraint 15: the production performance floor of the pipelines controller and webhook. */
const policy: ResourceValidationPolicy = {
    name: "tekton-performance-floor",
    description:
        "In staging and prod the pipelines controller must keep the performance floor: " +
        "threads-per-controller >= 32, kube-api-qps >= 50, kube-api-burst >= 50, disable-ha false, buckets >= " +
        "replicas, and a tekton-pipelines-webhook HPA with minReplicas >= 2. Source: infra-deployments " +
        "update-tekton-config-performance.yaml @4cb50a81 (inventory constraint 15).",
    configSchema: {
        properties: {
            environment: ENVIRONMENT_PROPERTY,
            floorEnvironments: {
                type: "array",
                items: { type: "string", enum: ENVIRONMENTS },
                default: DEFAULTS.floorEnvironments,
                description: "Environments the floor applies to.",
            },
            minThreadsPerController: { type: "integer", minimum: 1, default: DEFAULTS.minThreadsPerController },
            minKubeApiQps: { type: "number", minimum: 1, default: DEFAULTS.minKubeApiQps },
            minKubeApiBurst: { type: "integer", minimum: 1, default: DEFAULTS.minKubeApiBurst },
            minWebhookReplicas: { type: "integer", minimum: 1, default: DEFAULTS.minWebhookReplicas },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.TektonConfig)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        if (!cfg.floorEnvironments.includes(cfg.environment)) return;
        const what = describe(args.type, args.props, args.name);
        const perf = (k: string) => at(args.props, "spec", "pipeline", "performance", k);
        const floor = (key: string, min: number, configKey: string) => {
            const v = num(perf(key));
            if (v === undefined || v < min) {
                report(
                    violation(
                        `${what} sets performance.${key} to ${show(perf(key))}, below the ${cfg.environment} floor of ${min}`,
                        `Set spec.pipeline.performance.${key} to at least ${min} (pipeline-service:tekton.performance.${configKey})`,
                    ),
                );
            }
        };
        floor("threads-per-controller", cfg.minThreadsPerController, "threadsPerController");
        floor("kube-api-qps", cfg.minKubeApiQps, "kubeApiQps");
        floor("kube-api-burst", cfg.minKubeApiBurst, "kubeApiBurst");
        if (!isFalse(perf("disable-ha"))) {
            report(
                violation(
                    `${what} sets performance.disable-ha to ${show(perf("disable-ha"))}, so the controller runs without leader-elected buckets`,
                    "Set spec.pipeline.performance.disable-ha to false (pipeline-service:tekton.performance.disableHa)",
                ),
            );
        }
        const buckets = num(perf("buckets"));
        const replicas = num(perf("replicas"));
        if (buckets === undefined || replicas === undefined) {
            report(
                violation(
                    `${what} does not set both performance.buckets (${show(perf("buckets"))}) and performance.replicas (${show(perf("replicas"))})`,
                    "Set both explicitly, with buckets at least replicas (pipeline-service:tekton.performance.buckets and .replicas)",
                ),
            );
        } else if (buckets < replicas) {
            report(
                violation(
                    `${what} runs ${replicas} controller replicas over only ${buckets} buckets, so some replicas own no work`,
                    "Raise pipeline-service:tekton.performance.buckets to at least replicas (upstream uses twice the replicas)",
                ),
            );
        }
        const hpa = at(
            args.props,
            "spec",
            "pipeline",
            "options",
            "horizontalPodAutoscalers",
            "tekton-pipelines-webhook",
            "spec",
            "minReplicas",
        );
        const min = num(hpa);
        if (min === undefined || min < cfg.minWebhookReplicas) {
            report(
                violation(
                    `${what} gives the tekton-pipelines-webhook HPA minReplicas ${show(hpa)}, below ${cfg.minWebhookReplicas}, so one webhook pod restart blocks every PipelineRun admission`,
                    `Set spec.pipeline.options.horizontalPodAutoscalers.tekton-pipelines-webhook.spec.minReplicas to at least ${cfg.minWebhookReplicas} (pipeline-service:tekton.webhook.minReplicas)`,
                ),
            );
        }
    },
};

export default policy;
