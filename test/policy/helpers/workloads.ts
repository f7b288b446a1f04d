/** Workload fixtures that the program does not produce but upstream shipped, hand-written from the inventory. */
import type { ResourceInput } from "./harness.js";
import { clusterProvider } from "./builders.js";

/**
 * `pac-secret-reaper` (pipeline-service bugfix-pac-gitauth-secrets.yaml, RHTAPBUGS-256): a CronJob, hardened and
 * pinned by digest. The digest is synthetic, shaped like upstream's `ose-tools-rhel8@sha256:1054e906…`.
 */
export function pacSecretReaper(): ResourceInput {
    return {
        type: "kubernetes:batch/v1:CronJob",
        name: "pac-secret-reaper",
        provider: clusterProvider("stone-prd-rh01"),
        props: {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "pac-secret-reaper", namespace: "openshift-pipelines" },
            spec: {
                schedule: "*/10 * * * *",
                concurrencyPolicy: "Forbid",
                jobTemplate: {
                    spec: {
                        template: {
                            spec: {
                                serviceAccountName: "pac-secret-manager",
                                restartPolicy: "Never",
                                containers: [
                                    {
                                        name: "delete-pac-secrets",
                                        image: `registry.redhat.io/openshift4/ose-tools-rhel8@sha256:1054e906${"0".repeat(56)}`,
                                        command: ["/bin/bash", "-c", "true"],
                                        securityContext: {
                                            allowPrivilegeEscalation: false,
                                            readOnlyRootFilesystem: true,
                                            runAsNonRoot: true,
                                            capabilities: { drop: ["ALL"] },
                                            seccompProfile: { type: "RuntimeDefault" },
                                        },
                                        resources: {
                                            requests: { cpu: "10m", memory: "10Mi" },
                                            limits: { cpu: "200m", memory: "200Mi" },
                                        },
                                    },
                                ],
                            },
                        },
                    },
                },
            },
        },
    };
}

/** The kcp-era gateway (operator/gitops/kcp/gateway @kcp): requests only, no securityContext. */
export function kcpEraHaproxy(): ResourceInput {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "haproxy",
        provider: clusterProvider("stone-prd-rh01"),
        props: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "haproxy", namespace: "gateway" },
            spec: {
                replicas: 1,
                selector: { matchLabels: { app: "haproxy" } },
                template: {
                    metadata: { labels: { app: "haproxy" } },
                    spec: {
                        containers: [
                            {
                                name: "haproxy",
                                image: `docker.io/haproxytech/haproxy-debian@sha256:7086aaf6${"0".repeat(56)}`,
                                ports: [{ name: "http-port", containerPort: 8080 }],
                                resources: { requests: { cpu: "100m", memory: "256Mi" } },
                            },
                        ],
                    },
                },
            },
        },
    };
}
