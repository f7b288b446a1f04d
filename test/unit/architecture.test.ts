/**
 * The seams of issue 14, checked on the source: a component file imports another component file only to contain it
 * (its ComponentResource classes and their argument types), never for a helper (an exported function or constant);
 * shared helpers live in lib/. And the e2e helpers exist once, in the harness.
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

test("the e2e files take expectOk and eventually from the harness, not their own copies", (t) => {
    const dir = path.join(ROOT, "test", "e2e");
    const copies = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ts") && f !== "harness.ts")
        .filter((f) => /\n(async )?function (expectOk|eventually)\b/.test(fs.readFileSync(path.join(dir, f), "utf8")));
    t.deepEqual(copies, []);
});
