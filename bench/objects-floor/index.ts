/**
 * The objects floor for bench/preview.ts: the very Kubernetes objects the program's stack holds (same kinds, same
 * inputs, renamed `floor-<name>` so no object has two owners), on providers configured as the program's, with the
 * same dependencies between them, and nothing else: no components, no config validation, no cluster checks, no
 * Outputs between objects. What it costs is what the engine and the kubernetes provider must do for this desired
 * state; what the program costs beyond it is the program's own share (issue 16).
 *
 * Config `objects-floor:file`: path of a JSON file written by `floorObjects` (./objects.ts) from `pulumi stack export
 * --show-secrets` of the program's stack, shaped `{ providers: [{ name, inputs }], objects: [{ key, type, name,
 * inputs, provider, dependsOn, id? }] }`; and `objects-floor:projectDir`, the program's project directory. Secret
 * values keep their secret marker and are registered as secrets again; an object with `id` is a read
 * (`CustomResource.get` in the program).
 */
import * as fs from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { providerArgs, revive, type FloorFile } from "./objects.js";

const config = new pulumi.Config("objects-floor");
const file = config.require("file");
/** The program's project directory: its providers' relative kubeconfig paths are relative to it. */
const projectDir = config.require("projectDir");
const floor = JSON.parse(fs.readFileSync(file, "utf8")) as FloorFile;

const providers = new Map<string, k8s.Provider>();
for (const p of floor.providers)
    providers.set(p.name, new k8s.Provider(p.name, providerArgs(p.inputs, projectDir) as k8s.ProviderArgs));

/** A generic resource of any type token (pulumi.CustomResource is abstract in the SDK's types). */
class Registered extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(type, name, props, opts);
    }
}

const registered = new Map<string, pulumi.CustomResource>();
for (const o of floor.objects) {
    const opts: pulumi.CustomResourceOptions = {
        provider: providers.get(o.provider),
        dependsOn: o.dependsOn.map((n) => registered.get(n)!),
        ...(o.id !== undefined ? { id: o.id } : {}),
    };
    // A generic CustomResource of the object's own type token: the same Check, Diff and Read calls as the program's.
    registered.set(o.key, new Registered(o.type, o.name, revive(o.inputs) as pulumi.Inputs, opts));
}
