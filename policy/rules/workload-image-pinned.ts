import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PINNED_IMAGE } from "../../lib/config/rules.js";
import { describe, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";
import { containerLabel, containersOf, isWorkload, podSpecOf } from "../lib/workloads.js";

/** Constraint 38: images pinned by digest or by an immutable commit-SHA tag. */
const policy: ResourceValidationPolicy = {
    name: "workload-image-pinned",
    description:
        "Every container image must be pinned by @sha256 digest or by an immutable git-commit tag of 7 to " +
        "40 hex digits; floating tags such as latest, main or v4.12 are rejected. Source: checkov CKV_K8S_14/43 " +
        "rationale and the pinned images in pipeline-service manifests @5b34974a (inventory constraint 38).",
    validateResource: (args, report) => {
        if (!isWorkload(args.type)) return;
        const what = describe(args.type, args.props, args.name);
        for (const c of containersOf(podSpecOf(args.type, args.props))) {
            const image = str(c.container.image);
            if (image === undefined || !PINNED_IMAGE.test(image)) {
                report(
                    violation(
                        `${containerLabel(c)} of ${what} uses image ${show(c.container.image)}, which is not pinned and can change under you`,
                        "Pin it as <repository>@sha256:<64 hex digits> or <repository>:<7-40 hex commit SHA> in the stack config " +
                            "(pipeline-service:kcp.syncerImage, metricsExporter.image, gatewayImages.*)",
                    ),
                );
            }
        }
    },
};

export default policy;
