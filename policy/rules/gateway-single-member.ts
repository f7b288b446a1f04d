import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { computeClusters, providerUrnOf } from "../lib/clusters.js";
import { ruleConfig } from "../lib/config.js";
import { is, KIND, metadataOf, rec, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";

const DEFAULTS = { namespace: "gateway", deploymentName: "haproxy", configMapName: "haproxy-config" };
const PAC_BACKEND =
    /^\s*server\s+\S+\s+pipelines-as-code-controller\.openshift-pipelines\.svc(\.cluster\.local)?:8080\b/;

function named(r: PolicyResource, name: string, namespace: string): boolean {
    return known(() => {
        const md = metadataOf(r.props);
        return md.name === name && md.namespace === namespace;
    }, false);
}

/** Constraint 45: the HAProxy gateway is a single-cluster design (ADR-0001); several clusters need SprayProxy. */
const policy: StackValidationPolicy = {
    name: "gateway-single-member",
    description:
        "A single-cluster gateway (the haproxy Deployment in namespace gateway) must have exactly one " +
        "member: the stack has one compute cluster, and haproxy.cfg routes only requests with an X-Github-Event " +
        "header to the one pipelines-as-code-controller.openshift-pipelines.svc:8080 server. Source: ADR-0001, " +
        "ADR-0031 and haproxy-cfg-cm.yaml @kcp (inventory constraint 45).",
    configSchema: {
        properties: {
            namespace: {
                type: "string",
                default: DEFAULTS.namespace,
                description: "Namespace of the single-cluster gateway.",
            },
            deploymentName: {
                type: "string",
                default: DEFAULTS.deploymentName,
                description: "Name of the HAProxy Deployment.",
            },
            configMapName: {
                type: "string",
                default: DEFAULTS.configMapName,
                description: "Name of the ConfigMap holding haproxy.cfg.",
            },
        },
        required: [],
    },
    validateStack: (args, report) => {
        const cfg = ruleConfig(args, DEFAULTS);
        const gateways = args.resources.filter(
            (r) => is(r.type, KIND.Deployment) && named(r, cfg.deploymentName, cfg.namespace),
        );
        if (!gateways.length) return;
        const clusters = computeClusters(args.resources);
        const fix =
            "Set pipeline-service:gateway.mode to fanout (SprayProxy, ADR-0031) for several clusters, or keep exactly one cluster in pipeline-service:clusters";
        if (clusters.length !== 1) {
            report(
                violation(
                    `The single-cluster HAProxy gateway serves a stack of ${clusters.length} compute clusters (${clusters.map((c) => c.name).join(", ")}), but it can route webhooks to only one`,
                    fix,
                ),
                gateways[0]!.urn,
            );
        }
        if (gateways.length > 1) {
            report(
                violation(
                    `The stack declares ${gateways.length} HAProxy gateways; Phase 1 has one gateway for its one cluster`,
                    fix,
                ),
                gateways[1]!.urn,
            );
        }
        for (const gw of gateways) {
            const provider = providerUrnOf(gw);
            const cm = args.resources.find(
                (r) =>
                    is(r.type, KIND.ConfigMap) &&
                    named(r, cfg.configMapName, cfg.namespace) &&
                    providerUrnOf(r) === provider,
            );
            const haproxyCfg = cm && known(() => str(rec(cm.props.data)?.["haproxy.cfg"]), undefined);
            if (!cm) {
                report(
                    violation(
                        `The HAProxy gateway has no ConfigMap ${cfg.namespace}/${cfg.configMapName} on its cluster, so its routing cannot be checked`,
                        "Declare the haproxy.cfg ConfigMap with the Deployment (haproxyConfig in components/gateway.ts)",
                    ),
                    gw.urn,
                );
                continue;
            }
            if (haproxyCfg === undefined) continue; // not known during preview
            const servers = haproxyCfg.split("\n").filter((l) => /^\s*server\s/.test(l));
            if (servers.length !== 1 || !PAC_BACKEND.test(servers[0]!)) {
                report(
                    violation(
                        `The gateway's haproxy.cfg has ${servers.length} server line(s) (${servers.map((s) => s.trim()).join("; ") || "none"}) instead of the one PaC controller server`,
                        "Route to exactly one backend, server el-pac pipelines-as-code-controller.openshift-pipelines.svc.cluster.local:8080 (haproxyConfig in components/gateway.ts)",
                    ),
                    cm.urn,
                );
            }
            if (!/hdr\(X-Github-Event\)/i.test(haproxyCfg)) {
                report(
                    violation(
                        "The gateway's haproxy.cfg does not select requests by the X-Github-Event header, so it forwards every request to PaC",
                        "Add `acl PAC hdr(X-Github-Event) -m found` and `use_backend be_el_pac if PAC` (haproxyConfig in components/gateway.ts)",
                    ),
                    cm.urn,
                );
            }
        }
    },
};

export default policy;
