/**
 * Extra resources registered by the real components under the installed mocks, for shapes the stack files do not
 * produce: a single-cluster (HAProxy) gateway on a one-cluster stack, and the dev-only generated secrets mode.
 * Registered like index.ts registers them, with names that cannot clash with the program's.
 */
import * as k8s from "@pulumi/kubernetes";
import { ComputeCluster } from "../../../components/computeCluster.js";
import { ExternalSecrets } from "../../../components/externalSecrets.js";
import { Gateway } from "../../../components/gateway.js";
import { GATEWAY_NAMESPACE } from "../../../lib/naming.js";
import type { ResolvedCluster, Settings } from "../../../lib/config.js";
import { PIPELINES_NAMESPACE } from "../../../lib/k8s.js";
import { DEV_PLNSVC, PROD_RH01 } from "./builders.js";
import { captureDuring, type Captured } from "./program.js";

/**
 * The HAProxy image for single mode. The stack files ship none (see Pulumi.dev.yaml); this digest is synthetic,
 * shaped like upstream's `haproxytech/haproxy-debian@sha256:7086aaf6…` pin.
 */
export const HAPROXY_IMAGE = `docker.io/haproxytech/haproxy-debian@sha256:7086aaf6${"0".repeat(56)}`;

let solo: Promise<Captured[]> | undefined;

/** One compute cluster ("solo", prod settings of stone-prd-rh01) with the single-cluster gateway, as index.ts wires them. */
export function captureSoloCluster(): Promise<Captured[]> {
    solo ??= captureDuring(() => {
        const settings: Settings = {
            ...PROD_RH01.settings,
            gatewayImages: { ...PROD_RH01.settings.gatewayImages, haproxy: HAPROXY_IMAGE },
        };
        const cluster: ResolvedCluster = { ...PROD_RH01, name: "solo", settings };
        const kcpProvider = new k8s.Provider("solo-kcp", { context: "kcp-prod" });
        const cc = new ComputeCluster("solo", {
            cluster,
            environment: "prod",
            kcpProvider,
            extraSecretNamespaces: [GATEWAY_NAMESPACE.single],
        });
        new Gateway("solo-gateway", {
            provider: cc.provider,
            mode: "single",
            hostname: "gateway.apps.solo.example.com",
            members: [{ name: "solo", appsDomain: PROD_RH01.appsDomain }],
            settings,
            webhookSecret: cc.secrets.webhookSecret,
            readiness: settings.readiness,
            dependsOn: cc.secrets.store ? [cc.secrets.store] : [],
        });
    });
    return solo;
}

let generated: Promise<Captured[]> | undefined;

/** The ExternalSecrets component in the dev-only `generated` mode: a literal PaC Secret from @pulumi/random. */
export function captureGeneratedSecrets(cluster: ResolvedCluster = DEV_PLNSVC): Promise<Captured[]> {
    generated ??= captureDuring(() => {
        const provider = new k8s.Provider("generated-k8s", { clusterIdentifier: "generated" });
        const settings: Settings = { ...cluster.settings, secrets: { ...cluster.settings.secrets, mode: "generated" } };
        new ExternalSecrets("generated-secrets", {
            provider,
            clusterName: "generated",
            settings,
            consumerNamespaces: [PIPELINES_NAMESPACE],
            readiness: settings.readiness,
        });
    });
    return generated;
}
