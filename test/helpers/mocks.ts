/**
 * A mock collector in the pulumi-awsx style (`awsx/ecs/fargateService.test.ts`): every resource the program
 * registers is pushed to {@link collected} with the INPUTS it sent, so tests assert on what a component asked the
 * engine for, not on what a mock echoed back.
 *
 * `MockResourceArgs` carries no parent and no dependencies, so {@link installMocks} also wraps the mock monitor's
 * `registerResource` / `registerResourceOutputs` to record each request's parent URN, dependency URNs, its own URN
 * and the outputs a component registered. Nothing else of the runtime is changed.
 *
 * Usage (each ava file runs in its own process, `workerThreads: false`):
 *
 *     const mocks = await installMocks("local", configOf(stackValues("local")));   // before importing the code under test
 *     const { ArgoCd } = await import("../../components/argocd.js");
 *
 * Used by the unit suite, the policy suite (test/policy/helpers/program.ts) and the construction benchmark.
 *
 * `setMocks` and `setAllConfig` are process-global, so a file uses one stack and one config.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "./paths.js";

export { PROJECT, ROOT } from "./paths.js";
export { configOf, mockableStackValues, stackValues } from "./stack.js";

/** One registered resource: what the mock saw plus what the monitor request said. */
export interface Collected {
    /** Registration order (0-based), in the order the engine received requests. */
    seq: number;
    type: string;
    name: string;
    /** The inputs the resource was registered with (Outputs resolved, resources as URN strings). */
    inputs: any;
    /** `<provider urn>::<provider id>` for custom resources with an explicit or default provider. */
    provider?: string;
    custom: boolean;
    /** URN of the parent ("" for none). */
    parent: string;
    /** URNs the resource depends on (explicit dependsOn, expanded for components, plus input dependencies). */
    dependencies: string[];
    /** The resource's own URN, once the mock monitor answered. */
    urn: string;
    /** The `protect` option the request carried. */
    protect: boolean;
    /** The `retainOnDelete` option the request carried. */
    retainOnDelete: boolean;
    /** URN of the resource given as `deletedWith` ("" for none). */
    deletedWith: string;
    /**
     * Alias URNs the SDK computed (its own aliases and those inherited from its parents' aliases), when the mocks run
     * without alias specs (`installMocks(..., { aliasSpecs: false })`, the SDK's path for an engine without them).
     */
    aliases: string[];
    /** Structured aliases (name, type, parent, noParent) as sent to an engine that supports alias specs. */
    aliasSpecs: { name: string; type: string; parentUrn: string; noParent: boolean }[];
}

/** Every registered resource, in registration order. */
export const collected: Collected[] = [];
/** Outputs each component registered with `registerOutputs`, keyed by URN (raw struct: resources are refs). */
export const registeredOutputs = new Map<string, Record<string, unknown>>();
/** Every call (invoke) the program made. */
export const calls: pulumi.runtime.MockCallArgs[] = [];

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getProtect?(): boolean;
    getRetainondelete?(): boolean;
    getDeletedwith?(): string;
    getAliasurnsList?(): string[];
    getAliasesList?(): {
        getSpec?():
            { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
    }[];
}
interface OutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}
type Callback = (err: unknown, resp?: { getUrn?(): string }) => void;
interface MonitorLike {
    registerResource(req: RegisterRequest, cb: Callback): unknown;
    readResource(req: RegisterRequest, cb: Callback): unknown;
    registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, resp?: unknown) => void): unknown;
    newUrn(parent: string, type: string, name: string): string;
}

/** The `metadata.uid` the mocks give a Kubernetes object with logical name `name`: a deterministic UUID. */
export function mockUid(name: string): string {
    const h = createHash("sha256").update(name).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The state a mock resource reports: its inputs, plus the fields a real provider would add. */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = args.inputs ?? {};
    const state: Record<string, unknown> = { ...inputs };
    if (args.type.startsWith("kubernetes:") && args.type !== "kubernetes:yaml:ConfigFile") {
        const md = (inputs.metadata ?? {}) as Record<string, unknown>;
        state.metadata = { ...md, name: md.name ?? `${args.name}-autonamed`, uid: mockUid(args.name) };
    }
    if (args.type === "random:index/randomPassword:RandomPassword") state.result = `generated-${args.name}`;
    if (args.type === "command:local:Command") state.stdout = "200";
    return state;
}

export interface Installed {
    collected: Collected[];
    registeredOutputs: Map<string, Record<string, unknown>>;
}

/**
 * `setMocks` for `pipeline-service` / `stack`, then `setAllConfig(config, secretKeys)`. Call before importing any
 * module that reads config or registers resources at import time.
 */
export async function installMocks(
    stack: string,
    config: Record<string, string> = {},
    secretKeys?: string[],
    options: { aliasSpecs?: boolean } = {},
): Promise<Installed> {
    let pending: Omit<Collected, "seq" | "type" | "name" | "inputs" | "provider" | "custom" | "urn"> | undefined;
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
                const meta = pending ?? {
                    parent: "",
                    dependencies: [],
                    protect: false,
                    retainOnDelete: false,
                    deletedWith: "",
                    aliases: [],
                    aliasSpecs: [],
                };
                pending = undefined;
                collected.push({
                    seq: collected.length,
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    provider: args.provider || undefined,
                    custom: args.custom ?? true,
                    urn: "",
                    ...meta,
                });
                return { id: args.custom === false ? undefined : `${args.name}-id`, state: mockState(args) };
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                calls.push(args);
                return args.inputs;
            },
        },
        PROJECT,
        stack,
        false,
    );
    // Without alias specs the SDK itself computes every alias URN, inheritance from parents included, which is what
    // an engine with alias specs computes from the specs (pulumi sdk/nodejs resource.ts allAliases).
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    if (options.aliasSpecs === false) {
        // The runtime's state store is internal (not re-exported by `pulumi.runtime`); setMocks just set the flag there.
        const state = (await import("@pulumi/pulumi/runtime/state.js")) as unknown as {
            getStore(): { supportsAliasSpecs: boolean };
        };
        state.getStore().supportsAliasSpecs = false;
        // And URNs as the engine names them, with the parent's whole type chain (pulumi pkg/resource/urn.go NewURN with
        // the parent's QualifiedType; the SDK's createUrn builds alias URNs the same way); the mock monitor keeps only
        // the direct parent's type, which would make a grandchild's URN differ from its alias.
        monitor.newUrn = (parent, type, name) => {
            const chain = parent ? `${parent.split("::")[2]}$` : "";
            return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${chain}${type}::${name}`;
        };
    }

    // The mock monitor calls `newResource` synchronously at the start of `registerResource`, so the request's
    // parent and dependencies can be handed over through `pending` without any race.
    const wrapRegister = (orig: MonitorLike["registerResource"]) => (req: RegisterRequest, cb: Callback) => {
        pending = {
            parent: req.getParent() ?? "",
            dependencies: [...req.getDependenciesList()],
            protect: req.getProtect?.() ?? false,
            retainOnDelete: req.getRetainondelete?.() ?? false,
            deletedWith: req.getDeletedwith?.() ?? "",
            aliases: [...(req.getAliasurnsList?.() ?? [])],
            aliasSpecs: (req.getAliasesList?.() ?? []).flatMap((a) => {
                const spec = a.getSpec?.();
                return spec
                    ? [
                          {
                              name: spec.getName(),
                              type: spec.getType(),
                              parentUrn: spec.getParenturn(),
                              noParent: spec.getNoparent(),
                          },
                      ]
                    : [];
            }),
        };
        const seq = collected.length;
        return orig.call(monitor, req, (err, resp) => {
            const c = collected[seq];
            if (c && !err && resp?.getUrn) c.urn = resp.getUrn();
            cb(err, resp);
        });
    };
    monitor.registerResource = wrapRegister(monitor.registerResource);
    monitor.readResource = wrapRegister(monitor.readResource);
    const origOutputs = monitor.registerResourceOutputs;
    monitor.registerResourceOutputs = (req, cb) => {
        registeredOutputs.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
        return origOutputs.call(monitor, req, cb);
    };

    pulumi.runtime.setAllConfig(config, secretKeys);
    return { collected, registeredOutputs };
}

/** Resolve an Output (the awsx `promiseOf`). */
export function promiseOf<T>(o: pulumi.Input<T> | pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        pulumi.output(o).apply((v) => {
            resolve(v as T);
            return v;
        }),
    );
}

/** Wait until every outstanding registration RPC has been answered. */
export async function settle(): Promise<void> {
    const rt = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    // `waitForRPCs` is exported by the SDK but marked @internal; fall back to draining the event loop.
    if (rt.waitForRPCs) await rt.waitForRPCs();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    if (rt.waitForRPCs) await rt.waitForRPCs();
}

// ---------------------------------------------------------------------------------------------------------------
// Finders

/** `kubernetes:<apiVersion>:<kind>` of a Kubernetes kind, e.g. `kubernetes:apps/v1:Deployment`. */
export function k8sType(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion}:${kind}`;
}

/** Resources of a type token (exact, or a predicate), optionally under a name prefix. */
export function ofType(type: string | RegExp, namePrefix = ""): Collected[] {
    return collected.filter(
        (c) => (typeof type === "string" ? c.type === type : type.test(c.type)) && c.name.startsWith(namePrefix),
    );
}

/** The one resource with this type token and logical name; throws when absent or ambiguous. */
export function find(type: string, name: string): Collected {
    const hits = collected.filter((c) => c.type === type && c.name === name);
    if (hits.length !== 1) {
        throw new Error(
            `expected one ${type} named ${name}, found ${hits.length}; registered: ` +
                collected.map((c) => `${c.type} ${c.name}`).join(", "),
        );
    }
    return hits[0]!;
}

/** The one resource with this logical name (any type). */
export function byName(name: string): Collected {
    const hits = collected.filter((c) => c.name === name);
    if (hits.length !== 1) throw new Error(`expected one resource named ${name}, found ${hits.length}`);
    return hits[0]!;
}

/** Kubernetes resources of a kind (`Deployment`, `TektonConfig`, ...), optionally under a name prefix. */
export function ofKind(kind: string, namePrefix = ""): Collected[] {
    return ofType(new RegExp(`^kubernetes:[^:]+:${kind}$`), namePrefix);
}

/** Every resource whose URN is a descendant of `ancestorUrn` (through the parent chain). */
export function descendantsOf(ancestorUrn: string): Collected[] {
    const byUrn = new Map(collected.map((c) => [c.urn, c] as const));
    return collected.filter((c) => {
        for (let p = c.parent; p; p = byUrn.get(p)?.parent ?? "") if (p === ancestorUrn) return true;
        return false;
    });
}

/** The URN part of a provider reference `<urn>::<id>`. */
export function providerUrn(ref: string | undefined): string {
    if (!ref) return "";
    const i = ref.lastIndexOf("::");
    return i < 0 ? ref : ref.slice(0, i);
}

/** Every container of a workload's pod template (Deployment, StatefulSet, DaemonSet, Job). */
export function containersOf(c: Collected): any[] {
    const spec = c.inputs?.spec?.template?.spec ?? {};
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}
