import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { providerUrnOf } from "../lib/clusters.js";
import { ruleConfig } from "../lib/config.js";
import { arr, at, describe, isKind, metadataOf, rec, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";

const DEFAULTS = { namespace: "sprayproxy", allowedIgnorePaths: ["/proxy", "/healthz"] };

function sameNamespace(r: PolicyResource, ns: string): boolean {
    return known(() => metadataOf(r.props).namespace === ns, false);
}

/** Whether every `key: value` of `selector` is among `labels`. */
function selects(selector: Record<string, unknown> | undefined, labels: Record<string, unknown> | undefined): boolean {
    if (!selector || !Object.keys(selector).length) return false;
    return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The value of `--<flag>=` among a container's args, or undefined. */
function flag(args: unknown[], name: string): string | undefined {
    const a = args.map(str).find((x) => x?.startsWith(`--${name}=`));
    return a?.slice(name.length + 3);
}

/**
 * SprayProxy's webhook Route (upstream-conformance §1.8): reencrypt TLS to a port served by kube-rbac-proxy, so
 * only GitHub's `/proxy` deliveries and `/healthz` are open and `/backends` needs a token.
 */
const policy: StackValidationPolicy = {
    name: "gateway-route-reencrypt-rbac-proxy",
    description:
        "The SprayProxy webhook Route (namespace sprayproxy) must terminate TLS with reencrypt and point at a " +
        "Service port whose pods serve it from a kube-rbac-proxy container (--secure-listen-address, --upstream, a TLS " +
        "certificate) that leaves only /proxy and /healthz unauthenticated (--ignore-paths). An edge Route to SprayProxy " +
        "itself exposes /backends and every other path without authentication. Source: konflux-ci/sprayproxy " +
        "config/route.yaml and config/sprayproxy.yaml@f1afe076, upstream-conformance §1.8 (the Results Route and metrics of inventory constraints 31 and 33).",
    configSchema: {
        properties: {
            namespace: {
                type: "string",
                default: DEFAULTS.namespace,
                description: "Namespace of the SprayProxy gateway.",
            },
            allowedIgnorePaths: {
                type: "array",
                items: { type: "string" },
                default: DEFAULTS.allowedIgnorePaths,
                description: "Paths kube-rbac-proxy may leave unauthenticated.",
            },
        },
        required: [],
    },
    validateStack: (args, report) => {
        const cfg = ruleConfig(args, DEFAULTS);
        const routes = args.resources.filter(
            (r) => isKind(r.type, "route.openshift.io", "Route") && sameNamespace(r, cfg.namespace),
        );
        for (const route of routes) {
            const read = known(
                () => ({
                    what: describe(route.type, route.props, route.name),
                    termination: str(at(route.props, "spec", "tls", "termination")),
                    service: str(at(route.props, "spec", "to", "name")),
                    port: at(route.props, "spec", "port", "targetPort"),
                }),
                undefined,
            );
            if (!read) continue; // not known during preview
            const { what, termination, service, port } = read;
            if (termination !== "reencrypt") {
                report(
                    violation(
                        `${what} terminates TLS with ${show(termination)}, not reencrypt, so the hop to SprayProxy is unencrypted and skips kube-rbac-proxy's certificate`,
                        "Set spec.tls.termination: reencrypt and spec.port.targetPort: proxy (buildSprayProxy in components/gateway.ts)",
                    ),
                    route.urn,
                );
            }
            const provider = providerUrnOf(route);
            const svc = args.resources.find(
                (r) =>
                    isKind(r.type, "core", "Service") &&
                    providerUrnOf(r) === provider &&
                    sameNamespace(r, cfg.namespace) &&
                    known(() => metadataOf(r.props).name === service, false),
            );
            if (!svc) {
                report(
                    violation(
                        `${what} points at Service ${show(service)}, which the stack does not declare in ${cfg.namespace} on the same cluster, so what serves it cannot be checked`,
                        "Route to the sprayproxy Service's proxy port (buildSprayProxy in components/gateway.ts)",
                    ),
                    route.urn,
                );
                continue;
            }
            const svcRead = known(
                () => ({
                    selector: rec(at(svc.props, "spec", "selector")),
                    ports: arr(at(svc.props, "spec", "ports"))
                        .map(rec)
                        .filter((p) => p !== undefined),
                }),
                undefined,
            );
            if (!svcRead) continue;
            const svcPort = svcRead.ports.find(
                (p) => p.name === port || p.port === port || (port === undefined && svcRead.ports.length === 1),
            );
            if (!svcPort) {
                report(
                    violation(
                        `${what} targets port ${show(port)}, which Service '${service}' does not have`,
                        "Set spec.port.targetPort to the Service's proxy port",
                    ),
                    route.urn,
                );
                continue;
            }
            const target = svcPort.targetPort ?? svcPort.port;
            const pods = args.resources.filter(
                (r) =>
                    isKind(r.type, "apps", "Deployment") &&
                    providerUrnOf(r) === provider &&
                    sameNamespace(r, cfg.namespace) &&
                    known(
                        () => selects(svcRead.selector, rec(at(r.props, "spec", "template", "metadata", "labels"))),
                        false,
                    ),
            );
            const serving = pods.flatMap((d) =>
                known(() => arr(at(d.props, "spec", "template", "spec", "containers")).map(rec), [])
                    .filter((c): c is Record<string, unknown> => c !== undefined)
                    .filter((c) =>
                        arr(c.ports)
                            .map(rec)
                            .some((p) => p !== undefined && (p.name === target || p.containerPort === target)),
                    ),
            );
            if (!serving.length) {
                report(
                    violation(
                        `No container of the Deployments Service '${service}' selects serves its port ${show(target)}, so ${what} has no kube-rbac-proxy in front`,
                        "Serve the proxy port from the kube-rbac-proxy container (buildSprayProxy in components/gateway.ts)",
                    ),
                    route.urn,
                );
                continue;
            }
            for (const c of serving) {
                const cargs = arr(c.args);
                const name = str(c.name) ?? "?";
                const listen = flag(cargs, "secure-listen-address");
                const upstream = flag(cargs, "upstream");
                const cert = flag(cargs, "tls-cert-file");
                const ignored = (flag(cargs, "ignore-paths") ?? "").split(",").filter(Boolean);
                if (!listen || !upstream) {
                    report(
                        violation(
                            `Container '${name}' serves ${what}'s port ${show(target)} but is not kube-rbac-proxy (no --secure-listen-address and --upstream), so every SprayProxy path, /backends included, is open`,
                            "Route to the kube-rbac-proxy sidecar's proxy port, with SprayProxy as its --upstream (buildSprayProxy in components/gateway.ts)",
                        ),
                        route.urn,
                    );
                    continue;
                }
                if (!cert) {
                    report(
                        violation(
                            `kube-rbac-proxy '${name}' behind ${what} has no --tls-cert-file, so a reencrypt Route cannot verify it`,
                            "Mount the serving certificate sprayproxy-tls and pass --tls-cert-file/--tls-private-key-file",
                        ),
                        route.urn,
                    );
                }
                const extra = ignored.filter((p) => !cfg.allowedIgnorePaths.includes(p));
                if (extra.length) {
                    report(
                        violation(
                            `kube-rbac-proxy '${name}' behind ${what} leaves ${extra.join(", ")} unauthenticated besides ${cfg.allowedIgnorePaths.join(" and ")}`,
                            `Use --ignore-paths=${cfg.allowedIgnorePaths.join(",")}`,
                        ),
                        route.urn,
                    );
                }
            }
        }
    },
};

export default policy;
