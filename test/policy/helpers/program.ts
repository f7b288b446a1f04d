/**
 * What the real program registers, captured under Pulumi mocks, turned into the arguments the policy runtime
 * builds: so an "allowed" fixture is exactly what `index.ts` and the components in components/*.ts produce.
 *
 * Each ava file is its own process (`workerThreads: false`); `setMocks` and config are process-global, so a test
 * file calls {@link installProgramMocks} once, for one stack.
 *
 * The mock monitor's `newResource` sees no parent, so `registerResource` is wrapped to record the request's parent
 * and the URN the monitor answers with. Providers keep their inputs as props (the engine hands policies the
 * provider's inputs, e.g. `clusterIdentifier`); a custom resource with no provider reference gets the default
 * provider's URN, as the engine assigns it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import type { ProviderInput, ResourceInput, StackResourceInput } from "./harness.js";

export const PROJECT = "pipeline-service";
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export interface Captured {
    seq: number;
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    /** `<provider urn>::<provider id>`, or undefined (default provider). */
    providerRef?: string;
    parent: string;
}

/** Everything registered since {@link installProgramMocks}. */
export const captured: Captured[] = [];
let stackName = "";

/** The `pipeline-service:*` values of `Pulumi.<stack>.yaml`, keyed without the namespace. */
export function stackValues(stack: string): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc.config ?? {})) if (k.startsWith(`${PROJECT}:`)) out[k.slice(PROJECT.length + 1)] = v;
    return out;
}

/** A policy config file, policy/config/<env>.json. */
export function policyConfigFile(env: string): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", `${env}.json`), "utf8")) as Record<string, unknown>;
}

/** The properties a config file gives one policy (what the CLI sends it, besides the enforcement level). */
export function policyConfigFor(file: Record<string, unknown>, policy: string): Record<string, unknown> {
    const v = file[policy];
    return v !== null && typeof v === "object" ? { ...(v as Record<string, unknown>) } : {};
}

function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const state: Record<string, unknown> = { ...inputs };
    if (args.type.startsWith("kubernetes:")) {
        const md = (inputs.metadata ?? {}) as Record<string, unknown>;
        state.metadata = { ...md, name: md.name ?? `${args.name}-autonamed`, uid: `00000000-0000-4000-8000-${(args.name.length * 7919).toString(16).padStart(12, "0").slice(-12)}` };
    }
    if (args.type === "random:index/randomPassword:RandomPassword") state.result = `generated-${args.name}`;
    if (args.type === "command:local:Command") state.stdout = "200";
    return state;
}

interface RegisterRequest {
    getParent(): string;
}
type Callback = (err: unknown, resp?: { getUrn?(): string }) => void;
interface MonitorLike {
    registerResource(req: RegisterRequest, cb: Callback): unknown;
    readResource(req: RegisterRequest, cb: Callback): unknown;
}

/** `setMocks` for stack `stack` with the values of `Pulumi.<stack>.yaml` (or `values`) as config. */
export async function installProgramMocks(stack: string, values: Record<string, unknown> = stackValues(stack)): Promise<void> {
    if (stackName === stack) return;
    if (stackName) throw new Error(`mocks already installed for stack ${stackName}; use one stack per test file`);
    stackName = stack;
    let pendingParent: string | undefined;
    await pulumi.runtime.setMocks({
        newResource(args) {
            captured.push({
                seq: captured.length,
                type: args.type,
                name: args.name,
                urn: "",
                custom: args.custom ?? true,
                inputs: (args.inputs ?? {}) as Record<string, unknown>,
                providerRef: args.provider || undefined,
                parent: pendingParent ?? "",
            });
            pendingParent = undefined;
            return { id: args.custom === false ? undefined : `${args.name}-id`, state: mockState(args) };
        },
        call: (args) => args.inputs,
    }, PROJECT, stack, false);
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    const wrap = (orig: MonitorLike["registerResource"]) => (req: RegisterRequest, cb: Callback) => {
        // The mock monitor calls newResource synchronously, before its first await.
        pendingParent = req.getParent() ?? "";
        const seq = captured.length;
        return orig.call(monitor, req, (err, resp) => {
            const c = captured[seq];
            if (c && !err && resp?.getUrn) c.urn = resp.getUrn();
            cb(err, resp);
        });
    };
    monitor.registerResource = wrap(monitor.registerResource);
    monitor.readResource = wrap(monitor.readResource);
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (v !== undefined) config[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(config);
}

/** Wait until every registration the program started has been answered. */
export async function settle(): Promise<void> {
    const rt = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    for (let i = 0; i < 3; i++) {
        if (rt.waitForRPCs) await rt.waitForRPCs();
        await new Promise((r) => setImmediate(r));
    }
    const pending = captured.filter((c) => !c.urn);
    if (pending.length) throw new Error(`registrations without a URN after settling: ${pending.map((c) => c.name).join(", ")}`);
}

/** Run `register` (which creates resources) and return what it registered. */
export async function captureDuring(register: () => unknown): Promise<Captured[]> {
    const from = captured.length;
    await register();
    await settle();
    return captured.slice(from);
}

let programOnce: Promise<Captured[]> | undefined;

/** Import index.ts once, under the installed mocks, and return every resource it registered. */
export function captureProgram(): Promise<Captured[]> {
    programOnce ??= captureDuring(() => import("../../../index.js"));
    return programOnce;
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion to policy arguments

const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Secrets as the policy runtime hands them over: unwrapped to their plain value (deserializeProperties). */
export function unwrapSecrets(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(unwrapSecrets);
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SPECIAL_SIG] === SECRET_SIG) return unwrapSecrets(o.value);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

function refUrn(ref: string): string {
    return ref.slice(0, ref.lastIndexOf("::"));
}

/** The provider a captured resource is managed by, as the engine describes it. */
export function providerOf(c: Captured, all: Captured[]): ProviderInput | undefined {
    if (!c.custom || c.type.startsWith("pulumi:providers:")) return undefined;
    if (!c.providerRef) {
        const pkg = c.type.split(":")[0]!;
        return { urn: `urn:pulumi:${stackName}::${PROJECT}::pulumi:providers:${pkg}::default_4_25_0`, type: `pulumi:providers:${pkg}`, props: {} };
    }
    const urn = refUrn(c.providerRef);
    const p = all.find((x) => x.urn === urn);
    return { urn, type: p?.type ?? "pulumi:providers:kubernetes", name: p?.name, props: unwrapSecrets(p?.inputs ?? {}) as Record<string, unknown> };
}

export function toResourceInput(c: Captured, all: Captured[]): ResourceInput {
    return { type: c.type, name: c.name, urn: c.urn, props: unwrapSecrets(c.inputs) as Record<string, unknown>, provider: providerOf(c, all) ?? null };
}

export function toStackInputs(list: Captured[], all: Captured[] = list): StackResourceInput[] {
    return list.map((c) => ({ ...toResourceInput(c, all), urn: c.urn, parent: c.parent || undefined }));
}

/** The captured resources of a Kubernetes kind (any API version), e.g. `kind(list, "apps", "Deployment")`. */
export function ofKind(list: Captured[], group: string, kind: string): Captured[] {
    return list.filter((c) => new RegExp(`^kubernetes:${group.replace(/\./g, "\\.")}/[^:]+:${kind}$`).test(c.type));
}

/** The one captured resource of a kind whose metadata.name matches. */
export function one(list: Captured[], group: string, kind: string, name: string | RegExp): Captured {
    const hits = ofKind(list, group, kind).filter((c) => {
        const n = (c.inputs.metadata as { name?: string } | undefined)?.name ?? "";
        return typeof name === "string" ? n === name : name.test(n);
    });
    if (hits.length < 1) throw new Error(`no ${group}/${kind} named ${name} among ${list.length} resources`);
    return hits[0]!;
}

/** Every resource whose parent chain reaches `ancestorUrn`, the ancestor included. */
export function subtree(list: Captured[], ancestorUrn: string): Captured[] {
    const byUrn = new Map(list.map((c) => [c.urn, c] as const));
    return list.filter((c) => {
        for (let u: string | undefined = c.urn; u; u = byUrn.get(u)?.parent || undefined) if (u === ancestorUrn) return true;
        return false;
    });
}
