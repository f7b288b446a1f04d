/**
 * The seams of issue 14, checked on the source: a component file imports another component file only to contain it
 * (its ComponentResource classes and their argument types), never for a helper (an exported function or constant);
 * shared helpers live in lib/; every Kubernetes object is built by an exported builder; @kubernetes/client-node is
 * loaded only when the program talks to a cluster (lib/kubeClient.ts). And the e2e helpers exist once, in the harness.
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { ROOT } from "../helpers/mocks.js";

/** Every `import { a, b } from "<spec>"` of a file: the specifier and the imported names. */
function importsOf(file: string): { spec: string; names: string[] }[] {
    const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const out: { spec: string; names: string[] }[] = [];
    for (const st of src.statements) {
        if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
        const b = st.importClause?.namedBindings;
        const names = b && ts.isNamedImports(b) ? b.elements.map((e) => (e.propertyName ?? e.name).text) : [];
        out.push({ spec: st.moduleSpecifier.text, names });
    }
    return out;
}

/** The exported ComponentResource classes of a component file. */
function componentClasses(file: string): Set<string> {
    const text = fs.readFileSync(file, "utf8");
    return new Set([...text.matchAll(/export class (\w+) extends pulumi\.ComponentResource/g)].map((m) => m[1]!));
}

/** The exported values of a file that are not classes: functions and constants (helpers, when another component uses them). */
function exportedHelpers(file: string): Set<string> {
    const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const out = new Set<string>();
    const exported = (n: ts.Node) =>
        ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    for (const st of src.statements) {
        if (!exported(st)) continue;
        if (ts.isFunctionDeclaration(st) && st.name) out.add(st.name.text);
        if (ts.isVariableStatement(st))
            for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) out.add(d.name.text);
    }
    return out;
}

test("a component imports another component file only for its ComponentResource classes and their Args", (t) => {
    const dir = path.join(ROOT, "components");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts"));
    const sideways: string[] = [];
    for (const f of files) {
        for (const imp of importsOf(path.join(dir, f))) {
            if (!imp.spec.startsWith("./")) continue;
            const target = path.join(dir, imp.spec.replace(/\.js$/, ".ts"));
            t.true(componentClasses(target).size > 0, `${imp.spec} is a component file`);
            const helpers = exportedHelpers(target);
            for (const n of imp.names)
                if (helpers.has(n))
                    sideways.push(`components/${f} imports the helper ${n} from ${imp.spec}: move it to lib/`);
        }
    }
    t.deepEqual(sideways, []);
});

test("the guard sees a sideways import (it can fail)", (t) => {
    const tmp = fs.mkdtempSync(path.join(ROOT, ".arch-"));
    try {
        const f = path.join(tmp, "x.ts");
        fs.writeFileSync(f, 'import { buildSubscription, OperatorSubscription } from "./operatorSubscription.js";\n');
        t.deepEqual(importsOf(f), [
            { spec: "./operatorSubscription.js", names: ["buildSubscription", "OperatorSubscription"] },
        ]);
        const target = path.join(ROOT, "components", "operatorSubscription.ts");
        t.true(componentClasses(target).has("OperatorSubscription"));
        t.true(exportedHelpers(target).has("buildSubscription"), "a builder is a helper");
        t.false(exportedHelpers(target).has("OperatorSubscription"), "the class is not");
        t.false(exportedHelpers(target).has("OperatorSubscriptionArgs"), "nor its Args");
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

/**
 * Where a component file registers a Kubernetes object (`new k8s.<group>.<version>.<Kind>(name, args, opts)`,
 * `new k8s.apiextensions.CustomResource(...)` or `customResource(name, spec, opts)`) with its arguments written in
 * place: an object literal, or a local variable initialised with one. Builders are the only place objects are
 * spelled out; the class only registers them.
 */
function inlineObjects(file: string): string[] {
    const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const literals = new Set<string>();
    const out: string[] = [];
    const unwrap = (e: ts.Expression): ts.Expression =>
        ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)
            ? unwrap(e.expression)
            : e;
    const visitDecls = (n: ts.Node): void => {
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer)
            if (ts.isObjectLiteralExpression(unwrap(n.initializer))) literals.add(n.name.text);
        ts.forEachChild(n, visitDecls);
    };
    visitDecls(src);
    const visit = (n: ts.Node): void => {
        // lib/k8s.ts customResource is the one helper that turns a CustomResourceSpec into a resource.
        if (ts.isFunctionDeclaration(n) && n.name?.text === "customResource") return;
        let callee: string | undefined;
        let args: ts.NodeArray<ts.Expression> | undefined;
        if (ts.isNewExpression(n)) [callee, args] = [n.expression.getText(src), n.arguments];
        if (ts.isCallExpression(n)) [callee, args] = [n.expression.getText(src), n.arguments];
        const registers =
            callee !== undefined &&
            ((/^k8s\.(?!yaml\.)[a-z]+\.v[0-9a-z]+\.[A-Z]\w*$/.test(callee) && ts.isNewExpression(n)) ||
                callee === "k8s.apiextensions.CustomResource" ||
                callee === "customResource");
        const a = args?.[1] && unwrap(args[1]);
        if (registers && a) {
            const inline =
                ts.isObjectLiteralExpression(a) ||
                ts.isConditionalExpression(a) ||
                (ts.isIdentifier(a) && literals.has(a.text));
            if (inline) {
                const line = src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1;
                out.push(
                    `${path.basename(file)}:${line} ${callee}: build its arguments in an exported build* function`,
                );
            }
        }
        ts.forEachChild(n, visit);
    };
    visit(src);
    return out;
}

test("every Kubernetes object the program registers is built by a pure, exported builder", (t) => {
    const files = ["components", "lib"].flatMap((d) =>
        fs
            .readdirSync(path.join(ROOT, d), { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".ts"))
            .map((f) => path.join(ROOT, d, f)),
    );
    t.true(files.length > 20, "the guard reads the components and lib/");
    t.deepEqual(
        [...files, path.join(ROOT, "index.ts")].flatMap((f) => inlineObjects(f)),
        [],
    );
});

/** The `file:line` places a guard flags in a throwaway source file `x.ts` of `lines` (removed afterwards). */
function flagged(guard: (file: string) => string[], lines: string[]): string[] {
    const tmp = fs.mkdtempSync(path.join(ROOT, ".arch-"));
    try {
        const f = path.join(tmp, "x.ts");
        fs.writeFileSync(f, lines.join("\n"));
        return guard(f).map((l) => l.split(" ")[0]!);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

test("the builder guard sees an object spelled out in a component (it can fail)", (t) => {
    t.deepEqual(
        flagged(inlineObjects, [
            'new k8s.core.v1.Namespace("a", { metadata: { name: "a" } }, child);',
            "const spec = { metadata: { name: 'b' } };",
            'new k8s.rbac.v1.ClusterRole("b", spec, child);',
            'customResource("c", ok ? x : y, child);',
            'new k8s.core.v1.Namespace("d", buildNamespace("d"), child);',
            'new k8s.Provider("p", { kubeconfig: "" });',
            'new k8s.yaml.v2.ConfigGroup("gate", { objs: [] }, child);',
            'customResource("e", o.route, child);',
        ]),
        ["x.ts:1", "x.ts:3", "x.ts:4"],
    );
});

const CLIENT_NODE = "@kubernetes/client-node";

/**
 * The places a file loads @kubernetes/client-node's values (not only its types): a non-type import declaration, an
 * `export ... from` it, or a dynamic `import()` of it. lib/kubeClient.ts is the one place allowed to (lazily).
 */
function eagerClientNode(file: string): string[] {
    const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const out: string[] = [];
    const at = (n: ts.Node) => `${path.basename(file)}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
        if (
            ts.isImportDeclaration(n) &&
            ts.isStringLiteral(n.moduleSpecifier) &&
            n.moduleSpecifier.text === CLIENT_NODE &&
            !n.importClause?.isTypeOnly
        )
            out.push(
                `${at(n)} imports ${CLIENT_NODE} eagerly: use \`import type\` and kubeClient() (lib/kubeClient.ts)`,
            );
        if (
            ts.isExportDeclaration(n) &&
            n.moduleSpecifier &&
            ts.isStringLiteral(n.moduleSpecifier) &&
            n.moduleSpecifier.text === CLIENT_NODE &&
            !n.isTypeOnly
        )
            out.push(`${at(n)} re-exports ${CLIENT_NODE}`);
        if (
            ts.isCallExpression(n) &&
            n.expression.kind === ts.SyntaxKind.ImportKeyword &&
            n.arguments[0] &&
            ts.isStringLiteral(n.arguments[0]) &&
            n.arguments[0].text === CLIENT_NODE
        )
            out.push(`${at(n)} imports ${CLIENT_NODE} itself: call kubeClient() (lib/kubeClient.ts)`);
        ts.forEachChild(n, visit);
    };
    visit(src);
    return out;
}

test("the program loads @kubernetes/client-node only through lib/kubeClient.ts, when it talks to a cluster", (t) => {
    const files = ["components", "lib"]
        .flatMap((d) =>
            fs
                .readdirSync(path.join(ROOT, d), { recursive: true, encoding: "utf8" })
                .filter((f) => f.endsWith(".ts"))
                .map((f) => path.join(ROOT, d, f)),
        )
        .filter((f) => f !== path.join(ROOT, "lib", "kubeClient.ts"));
    t.true(files.length > 20);
    t.deepEqual([...files, path.join(ROOT, "index.ts")].flatMap(eagerClientNode), []);
    t.deepEqual(eagerClientNode(path.join(ROOT, "lib", "kubeClient.ts")).length, 1, "kubeClient() imports it once");
});

test("the client-node guard sees an eager import (it can fail)", (t) => {
    t.deepEqual(
        flagged(eagerClientNode, [
            'import * as k8s from "@kubernetes/client-node";',
            'import type * as t from "@kubernetes/client-node";',
            'import { KubeConfig } from "@kubernetes/client-node";',
            'import type { V1Pod } from "@kubernetes/client-node";',
            'const m = await import("@kubernetes/client-node");',
            'export { CoreV1Api } from "@kubernetes/client-node";',
            'export type { V1Pod as P } from "@kubernetes/client-node";',
        ]),
        ["x.ts:1", "x.ts:3", "x.ts:5", "x.ts:6"],
    );
});

test("the e2e files take expectOk and eventually from the harness, not their own copies", (t) => {
    const dir = path.join(ROOT, "test", "e2e");
    const copies = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ts") && f !== "harness.ts")
        .filter((f) => /\n(async )?function (expectOk|eventually)\b/.test(fs.readFileSync(path.join(dir, f), "utf8")));
    t.deepEqual(copies, []);
});
