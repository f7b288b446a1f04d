import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DIGEST_PINNED } from "../../lib/config/rules.js";
import { at, describe, is, KIND, show, str } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** Constraints 2, 3 and 38: the OSP index is a grpc CatalogSource whose image is pinned by digest. */
const policy: ResourceValidationPolicy = {
    name: "catalog-source-grpc-digest-pinned",
    description:
        "Every CatalogSource must be a grpc catalog whose index image is pinned by @sha256 digest, so the " +
        "operator version changes only through a reviewed digest bump. Source: pipeline-service " +
        "osp-nightly-catalog-source.yaml @5b34974a and the update-osp-nightly workflow (inventory constraints 2, 3 and 38).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.CatalogSource)) return;
        const what = describe(args.type, args.props, args.name);
        const sourceType = at(args.props, "spec", "sourceType");
        if (sourceType !== "grpc") {
            report(
                violation(
                    `${what} has sourceType ${show(sourceType)}, not grpc`,
                    "Set spec.sourceType to grpc and serve the catalog from an index image (buildCatalogSource in components/openshiftPipelines.ts)",
                ),
            );
        }
        const address = at(args.props, "spec", "address");
        if (address !== undefined) {
            report(
                violation(
                    `${what} reads its catalog from the address ${show(address)}, which no digest can pin`,
                    "Remove spec.address and set spec.image to the index image pinned by digest",
                ),
            );
        }
        const image = str(at(args.props, "spec", "image"));
        if (image === undefined) {
            if (address === undefined) {
                report(
                    violation(
                        `${what} has no spec.image`,
                        "Set spec.image to the OSP index image as <repository>@sha256:<64 hex digits> (pipeline-service:osp.catalog.image)",
                    ),
                );
            }
        } else if (!DIGEST_PINNED.test(image)) {
            report(
                violation(
                    `${what} uses the index image '${image}', which is not pinned by digest, so the catalog can change under you`,
                    "Pin it as <repository>@sha256:<64 hex digits> in pipeline-service:osp.catalog.image, e.g. with `skopeo inspect` of the tag you want",
                ),
            );
        }
    },
};

export default policy;
