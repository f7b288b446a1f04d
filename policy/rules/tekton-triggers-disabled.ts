import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ruleConfig } from "../lib/config.js";
import { at, describe, is, isTrue, KIND, parseKubeType, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

const DEFAULTS = { triggersAllowed: false };

/** Constraint 10: Tekton Triggers are disabled on the platform (configurable). */
const policy: ResourceValidationPolicy = {
    name: "tekton-triggers-disabled",
    description:
        "Tekton Triggers must be disabled (TektonConfig spec.trigger.disabled: true) and no Triggers " +
        'objects may be declared, unless the policy config sets triggersAllowed. Source: ADR-0009 "Disable Tekton ' +
        'Triggers" and tektoncd/operator#2756 (inventory constraint 10).',
    configSchema: {
        properties: {
            triggersAllowed: {
                type: "boolean",
                default: DEFAULTS.triggersAllowed,
                description: "Allow Tekton Triggers (pipeline-service:tekton.triggers.enabled).",
            },
        },
        required: [],
    },
    validateResource: (args, report) => {
        const cfg = ruleConfig(args, DEFAULTS);
        if (cfg.triggersAllowed) return;
        const what = describe(args.type, args.props, args.name);
        if (is(args.type, KIND.TektonConfig)) {
            const disabled = at(args.props, "spec", "trigger", "disabled");
            if (!isTrue(disabled)) {
                report(
                    violation(
                        `${what} leaves Tekton Triggers enabled (spec.trigger.disabled is ${show(disabled)})`,
                        "Set spec.trigger.disabled to true (pipeline-service:tekton.triggers.enabled: false)",
                    ),
                );
            }
        } else if (parseKubeType(args.type)?.group === "triggers.tekton.dev") {
            report(
                violation(
                    `${what} is a Tekton Triggers object, but Triggers are disabled on Pipeline Service`,
                    "Remove it and receive Git events through Pipelines as Code instead",
                ),
            );
        }
    },
};

export default policy;
