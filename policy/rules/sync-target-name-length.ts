import type { ResourceValidationPolicy } from "@pulumi/policy";
import { MAX_SYNC_TARGET_NAME } from "../../lib/naming.js";
import { describe, is, KIND, metadataOf, show } from "../lib/k8s.js";
import { violation } from "../lib/report.js";

/** Constraint 43: the syncer namespace derived from the SyncTarget name must fit in 63 characters. */
const policy: ResourceValidationPolicy = {
    name: "sync-target-name-length",
    description:
        "A SyncTarget name must be a DNS label of at most 43 characters (longer cluster names use their md5), " +
        "so the syncer namespace derived from it fits in 63. Source: pipeline-service operator/docs/kcp-registration.md " +
        "@kcp (inventory constraint 43).",
    validateResource: (args, report) => {
        if (!is(args.type, KIND.SyncTarget)) return;
        const { name } = metadataOf(args.props);
        const what = describe(args.type, args.props, args.name);
        if (name === undefined || name.length > MAX_SYNC_TARGET_NAME || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
            report(
                violation(
                    `${what} has the name ${show(name)} (${name?.length ?? 0} characters); the syncer namespace kcp-syncer-<name>-<hash> would not be a valid namespace`,
                    `Name it with syncTargetName() from lib/naming.ts: the cluster name when it is a DNS label of at most ${MAX_SYNC_TARGET_NAME} characters, else its md5`,
                ),
            );
        }
    },
};

export default policy;
