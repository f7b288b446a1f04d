import type { StackValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { arr, at, describe, is, KIND, metadataOf, rec, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { known } from "../lib/unknown.js";
import { SHARED_SECRET_STORES } from "../../lib/secretStores.js";

const DEFAULTS: { sharedStores: Record<string, string[]> } = {
    sharedStores: Object.fromEntries(Object.entries(SHARED_SECRET_STORES).map(([k, v]) => [k, [...v]])),
};

/**
 * A shared ClusterSecretStore is referenced, not taken over (upstream-conformance §1.6): a store this stack manages
 * under a shared store's name must admit every namespace upstream's store admits, or the other services lose
 * their secrets when Pulumi force-applies it.
 */
const policy: StackValidationPolicy = {
    name: "shared-secret-store-not-narrowed",
    description:
        "A ClusterSecretStore the stack manages must not carry the name of a shared store " +
        "(appsre-stonesoup-vault, appsre-vault) unless its spec.conditions admit every namespace the shared store " +
        "admits; otherwise applying it locks the other services (build-service, integration-service, ...) out of " +
        "their secrets. Reference shared stores instead (pipeline-service:secretStore.manage: false). Source: " +
        "infra-deployments components/cluster-secret-store/base/*.yaml@a601cbe7 (inventory constraints 24 and 25).",
    configSchema: {
        properties: {
            sharedStores: {
                type: "object",
                default: DEFAULTS.sharedStores,
                description: "Shared store name -> the namespaces it must keep admitting.",
            },
        },
        required: [],
    },
    validateStack: (args, report) => {
        const cfg = ruleConfig(args, DEFAULTS);
        for (const r of args.resources) {
            if (!is(r.type, KIND.ClusterSecretStore)) continue;
            const read = known(
                () => ({
                    name: metadataOf(r.props).name,
                    spec: rec(at(r.props, "spec")),
                    admitted: arr(at(r.props, "spec", "conditions"))
                        .map(rec)
                        .flatMap((c) => (c ? arr(c.namespaces).map(str) : [])),
                    unconditional: !arr(at(r.props, "spec", "conditions")).length,
                    regexes: arr(at(r.props, "spec", "conditions"))
                        .map(rec)
                        .flatMap((c) => (c ? arr(c.namespaceRegexes).map(str) : [])),
                }),
                undefined,
            );
            if (!read || read.name === undefined || read.spec === undefined) continue; // unknown, or a read reference
            const tenants = cfg.sharedStores[read.name];
            if (!tenants || read.unconditional) continue; // not shared, or no conditions at all (admits every namespace)
            const admits = (ns: string) =>
                read.admitted.includes(ns) ||
                read.regexes.some((re) => {
                    try {
                        return re !== undefined && new RegExp(re).test(ns);
                    } catch {
                        return false;
                    }
                });
            const missing = tenants.filter((ns) => !admits(ns));
            if (missing.length) {
                report(
                    violation(
                        `${describe(r.type, r.props, r.name)} takes over the shared store '${read.name}' and narrows it: ${missing.length} of its ${tenants.length} tenant namespaces (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}) would lose their secrets`,
                        "Reference the shared store (pipeline-service:secretStore.manage: false), or list every tenant in pipeline-service:secretStore.namespaces",
                    ),
                    r.urn,
                );
            }
        }
    },
};

export default policy;
