import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, describe, is, KIND, metadataOf, show, str } from "../lib/k8s.js";
import { ruleConfig } from "../lib/config.js";
import { violation } from "../lib/report.js";

const DEFAULTS = {
    package: "openshift-pipelines-operator-rh",
    subscriptionName: "openshift-pipelines-operator",
    namespace: "openshift-operators",
    catalogSource: "custom-operators",
    catalogNamespace: "openshift-marketplace",
};

/** Constraint 1: the OSP Subscription installs openshift-pipelines-operator-rh from the pinned catalog. */
const policy: ResourceValidationPolicy = {
    name: "osp-subscription-pinned-catalog",
    description:
        "The OpenShift Pipelines Subscription must install package openshift-pipelines-operator-rh in " +
        "openshift-operators from the pinned custom-operators CatalogSource in openshift-marketplace, not from " +
        "redhat-operators. Source: pipeline-service openshift-operator.yaml @5b34974a (7df9ea0) and ADR-0009 (inventory constraint 1).",
    configSchema: {
        properties: {
            package: {
                type: "string",
                default: DEFAULTS.package,
                description: "The OLM package of OpenShift Pipelines.",
            },
            subscriptionName: {
                type: "string",
                default: DEFAULTS.subscriptionName,
                description: "metadata.name of the OSP Subscription.",
            },
            namespace: {
                type: "string",
                default: DEFAULTS.namespace,
                description: "Namespace of the OSP Subscription.",
            },
            catalogSource: {
                type: "string",
                default: DEFAULTS.catalogSource,
                description: "Name of the pinned CatalogSource.",
            },
            catalogNamespace: {
                type: "string",
                default: DEFAULTS.catalogNamespace,
                description: "Namespace of the pinned CatalogSource.",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        if (!is(args.type, KIND.Subscription)) return;
        const cfg = ruleConfig(args, DEFAULTS);
        const { name, namespace } = metadataOf(args.props);
        const pkg = str(at(args.props, "spec", "name"));
        if (pkg !== cfg.package && name !== cfg.subscriptionName) return; // another operator's Subscription
        const what = describe(args.type, args.props, args.name);
        if (pkg !== cfg.package) {
            report(
                violation(
                    `${what} subscribes to package ${show(pkg)} instead of '${cfg.package}'`,
                    `Set spec.name to ${cfg.package} (pipeline-service:osp.subscription.package)`,
                ),
            );
        }
        if (namespace !== cfg.namespace) {
            report(
                violation(
                    `${what} is in namespace ${show(namespace)}, so OLM would not install OpenShift Pipelines for all namespaces`,
                    `Move it to ${cfg.namespace} (pipeline-service:osp.subscription.namespace); two Subscriptions for one package conflict`,
                ),
            );
        }
        const source = at(args.props, "spec", "source");
        if (source !== cfg.catalogSource) {
            report(
                violation(
                    `${what} installs from the catalog ${show(source)} instead of the pinned '${cfg.catalogSource}'` +
                        (source === "redhat-operators" ? ", which moves with every Red Hat release" : ""),
                    `Set spec.source to ${cfg.catalogSource}, the digest-pinned CatalogSource (pass catalogSource.metadata.name as in components/openshiftPipelines.ts)`,
                ),
            );
        }
        const sourceNamespace = at(args.props, "spec", "sourceNamespace");
        if (sourceNamespace !== cfg.catalogNamespace) {
            report(
                violation(
                    `${what} looks for its catalog in namespace ${show(sourceNamespace)} instead of '${cfg.catalogNamespace}'`,
                    `Set spec.sourceNamespace to ${cfg.catalogNamespace} (pipeline-service:osp.catalog.namespace)`,
                ),
            );
        }
    },
};

export default policy;
