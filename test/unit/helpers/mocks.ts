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
 *     const mocks = await installMocks("local", configOf(localStackValues));   // before importing the code under test
 *     const { ArgoCd } = await import("../../components/argocd.js");
 *
 * `setMocks` and `setAllConfig` are process-global, so a file uses one stack and one config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";

export const PROJECT = "pipeline-service";
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

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
}

/** The stack config as `setAllConfig` wants it: `pipeline-service:<key>` → JSON string (strings stay raw). */
export function configOf(values: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        if (v === undefined) continue;
        out[k.includes(":") ? k : `${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

/** The `pipeline-service:*` values of `Pulumi.<stack>.yaml`, keyed without the namespace. */
export function stackValues(stack: string): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc.config ?? {})) if (k.startsWith(`${PROJECT}:`)) out[k.slice(PROJECT.length + 1)] = v;
    return out;
}

/** The state a mock resource reports: its inputs, plus the fields a real provider would add. */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = args.inputs ?? {};
    const state: Record<string, unknown> = { ...inputs };
    if (args.type.startsWith("kubernetes:") && args.type !== "kubernetes:yaml:ConfigFile") {
        const md = (inputs.metadata ?? {}) as Record<string, unknown>;
        state.metadata = { ...md, name: md.name ?? `${args.name}-autonamed`, uid: `uid-${args.name}` };
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
export async function installMocks(stack: string, config: Record<string, string> = {}, secretKeys?: string[]): Promise<Installed> {
    let pending: Omit<Collected, "seq" | "type" | "name" | "inputs" | "provider" | "custom" | "urn"> | undefined;
    await pulumi.runtime.setMocks({
        newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
            const meta = pending ?? { parent: "", dependencies: [] };
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
    }, PROJECT, stack, false);

    // The mock monitor calls `newResource` synchronously at the start of `registerResource`, so the request's
    // parent and dependencies can be handed over through `pending` without any race.
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    const wrapRegister = (orig: MonitorLike["registerResource"]) => (req: RegisterRequest, cb: Callback) => {
        pending = { parent: req.getParent() ?? "", dependencies: [...req.getDependenciesList()] };
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
    return new Promise((resolve) => pulumi.output(o).apply((v) => {
        resolve(v as T);
        return v;
    }));
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
    return collected.filter((c) => (typeof type === "string" ? c.type === type : type.test(c.type)) && c.name.startsWith(namePrefix));
}

/** The one resource with this type token and logical name; throws when absent or ambiguous. */
export function find(type: string, name: string): Collected {
    const hits = collected.filter((c) => c.type === type && c.name === name);
    if (hits.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${hits.length}; registered: ` +
            collected.map((c) => `${c.type} ${c.name}`).join(", "));
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
