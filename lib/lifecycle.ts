/**
 * Resource lifecycle rules the program applies to every compute cluster (issue 11 §1): namespaced objects are
 * `deletedWith` their namespace, moved components keep their URNs through `aliases`, and the stack refuses a
 * configuration that would rename or drop a deployed cluster (lib/fleet.ts, read from the stack's own outputs).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type PipelineServiceConfig } from "./config.js";
import { type DeployedCluster, DEPLOYED_ENV, expectedCsvOf, fleetProblems, parseDeployed } from "./fleet.js";

const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";

/** A Namespace this program registered, seen by {@link deletedWithNamespaceTransformation}. */
interface SeenNamespace {
    resource: pulumi.Resource;
    provider: unknown;
    retained: boolean;
}

/**
 * A resource transformation that gives every namespaced Kubernetes object `deletedWith: <its Namespace>` when the
 * Namespace is one this program registered earlier under the same transformation, with the same provider, and is
 * not `retainOnDelete`. When the namespace is deleted, Pulumi then skips the separate delete of each object in it
 * (the API server removes them with the namespace), instead of racing the namespace's finalisation with one delete
 * per object. A retained namespace (lib/protection.ts: `openshift-pipelines` in staging and prod, and on a cluster
 * that is draining or removed) outlives the program, so objects in it are deleted one by one and never left behind.
 *
 * One instance per scope (a compute cluster, the gateway): it remembers the Namespaces it saw. Put it after
 * `protectionTransformation` in the same list, so it sees a namespace's final `retainOnDelete`. An explicit
 * `deletedWith` in the resource options is kept. Objects whose `metadata` or `metadata.namespace` is not a plain
 * value at registration are left alone.
 */
export function deletedWithNamespaceTransformation(): pulumi.ResourceTransformation {
    const namespaces = new Map<string, SeenNamespace>();
    return (args) => {
        if (!args.type.startsWith("kubernetes:")) return undefined;
        const md = (args.props as { metadata?: unknown }).metadata;
        if (md === null || typeof md !== "object" || pulumi.Output.isInstance(md) || md instanceof Promise)
            return undefined;
        const meta = md as { name?: unknown; namespace?: unknown };
        if (args.type === NAMESPACE_TYPE) {
            if (typeof meta.name === "string") {
                namespaces.set(meta.name, {
                    resource: args.resource,
                    provider: args.opts.provider,
                    retained: args.opts.retainOnDelete === true,
                });
            }
            return undefined;
        }
        if (typeof meta.namespace !== "string" || args.opts.deletedWith) return undefined;
        const ns = namespaces.get(meta.namespace);
        if (!ns || ns.retained || ns.provider !== args.opts.provider) return undefined;
        return { props: args.props, opts: { ...args.opts, deletedWith: ns.resource } };
    };
}

/**
 * A resource transformation for a component renamed from `from` to `to` (CONTRIBUTING "Rename or move a component"):
 * the component and every resource under it whose logical name is `to` or starts with `to-` (the `${name}-<role>`
 * convention of every component here) gets the alias of its old name, `from` + the rest, under its current parent.
 * A parent's URN carries only the types of its ancestors, never their names, so that alias is exactly the old URN at
 * every depth, and Pulumi updates each object in place instead of deleting and re-creating it. Use it on the renamed
 * component: `new ComputeCluster(to, args, { transformations: [renamedFrom(from, to), ...] })`.
 *
 * (The SDK's own alias inheritance reaches only direct children when it computes alias URNs itself, `allAliases` in
 * @pulumi/pulumi resource.ts uses the parent's own aliases; this covers grandchildren too.) Renaming a compute
 * cluster in `clusters[]` is refused instead (lib/fleet.ts): its objects' Kubernetes names carry it.
 */
export function renamedFrom(from: string, to: string): pulumi.ResourceTransformation {
    return (args) => {
        if (args.name !== to && !args.name.startsWith(`${to}-`)) return undefined;
        const name = from + args.name.slice(to.length);
        // A top-level resource gets its old URN itself: the SDK drops a structured alias of a resource without a parent
        // when it computes alias URNs (runtime/resource.ts prepareResource), and the URN is the same either way.
        const alias: pulumi.Input<string> | pulumi.Alias = args.opts.parent
            ? { name }
            : `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${args.type}::${name}`;
        return { props: args.props, opts: { ...args.opts, aliases: [...(args.opts.aliases ?? []), alias] } };
    };
}

/**
 * The configuration's fleet checks against what the stack deployed ({@link DEPLOYED_ENV}, set by `.tools/bin/pulumi`
 * from `pulumi stack output clusters`): renames, removals without draining, state transitions and CSV downgrades
 * (lib/fleet.ts fleetProblems). Returns the deployed clusters; throws a `pulumi.RunError` with the ConfigError
 * message (no stack trace) when a rule fails. Nothing is recorded under mocks, in render mode or on a new stack.
 */
export function checkFleet(
    cfg: PipelineServiceConfig,
    env: NodeJS.ProcessEnv = process.env,
): Record<string, DeployedCluster> {
    let deployed: Record<string, DeployedCluster>;
    try {
        deployed = parseDeployed(env[DEPLOYED_ENV]);
    } catch (e) {
        throw new pulumi.RunError((e as Error).message);
    }
    const problems = fleetProblems(
        cfg.stack,
        cfg.environment,
        cfg.clusters.map((c) => ({
            name: c.name,
            index: c.index,
            state: c.state,
            decommission: c.decommission,
            expectedCsv: expectedCsvOf(c.settings),
        })),
        deployed,
    );
    if (problems.length) throw new pulumi.RunError(new ConfigError(cfg.stack, problems).message);
    return deployed;
}
