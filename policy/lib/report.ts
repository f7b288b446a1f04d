/**
 * Violation messages: always two full sentences, what is wrong and how to fix it. The runtime prefixes the
 * policy's description, so a message never repeats the rule.
 */

/**
 * Imperative verbs a fix sentence starts with: the first sentence of a message that starts with one of them begins
 * the fix (test/policy/helpers/messages.ts holds every message to that; scripts/audit.ts splits on it).
 */
export const FIX_VERBS = [
    "Add",
    "Create",
    "Declare",
    "Include",
    "Keep",
    "List",
    "Mount",
    "Move",
    "Name",
    "Pass",
    "Pin",
    "Raise",
    "Reference",
    "Remove",
    "Rename",
    "Route",
    "Set",
    "Use",
] as const;

/** Where the fix starts: a sentence end, one space, a fix verb. */
export const FIX_START = new RegExp(`[.!?] (?=(?:${FIX_VERBS.join("|")})\\b)`);

function sentence(s: string): string {
    const t = s.trim();
    const capital = t.charAt(0).toUpperCase() + t.slice(1);
    return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** `"<Problem>. <Fix>."` */
export function violation(problem: string, fix: string): string {
    return `${sentence(problem)} ${sentence(fix)}`;
}

/**
 * A violation message split back into its problem and its fix (at the first sentence that starts with a fix verb);
 * `fix` is undefined when the message has none.
 */
export function splitViolation(message: string): { problem: string; fix?: string } {
    const m = FIX_START.exec(message);
    if (!m) return { problem: message.trim() };
    return { problem: message.slice(0, m.index + 1).trim(), fix: message.slice(m.index + 2).trim() };
}
