import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe } from "../lib/k8s.js";
import { isRole, rulesOf } from "../lib/rbac.js";
import { violation } from "../lib/report.js";

const VERBS = ["escalate", "bind", "impersonate"];
/** What `*` verbs on these resources would include: escalate/bind on roles, impersonate on identities. */
const ESCALATING = new Set([
    "roles",
    "clusterroles",
    "users",
    "groups",
    "serviceaccounts",
    "uids",
    "userextras",
    "userextras/*",
    "*",
]);

/**
 * No role of the stack grants privilege escalation: escalate or bind (create roles or bindings beyond what the
 * holder has) or impersonate (act as another user, group or ServiceAccount), explicitly or through `*` verbs on the
 * resources those verbs apply to.
 */
const policy: ResourceValidationPolicy = {
    name: "rbac-no-escalate-bind-impersonate",
    description:
        "No Role or ClusterRole of the stack may grant the escalate, bind or impersonate verbs, explicitly or through '*' " +
        "verbs on roles, clusterroles, users, groups, serviceaccounts or every resource, so no holder (a tenant, a controller) can " +
        "give itself more rights. Source: ADR-0025 (least privilege for PipelineRuns), upstream-conformance.md §4 item 7 " +
        "(inventory constraint 7).",
    validateResource: (args, report) => {
        if (!isRole(args.type)) return;
        const what = describe(args.type, args.props, args.name);
        rulesOf(args.props).forEach((r, i) => {
            const explicit = r.verbs.filter((v) => VERBS.includes(v));
            if (explicit.length) {
                report(
                    violation(
                        `${what} grants ${explicit.join(", ")} in rules[${i}], which lets its holder raise its own rights`,
                        `Remove ${explicit.join(", ")} from rules[${i}].verbs`,
                    ),
                );
            }
            const rbacOrIdentity = r.resources.filter((x) => ESCALATING.has(x));
            if (r.verbs.includes("*") && rbacOrIdentity.length) {
                report(
                    violation(
                        `${what} grants every verb on ${rbacOrIdentity.join(", ")} in rules[${i}], which includes escalate, bind or impersonate`,
                        `Set the verbs rules[${i}] needs explicitly (for example get, list, watch, create, update, delete)`,
                    ),
                );
            }
        });
    },
};

export default policy;
