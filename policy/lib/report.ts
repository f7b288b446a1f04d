/**
 * Violation messages: always two full sentences, what is wrong and how to fix it. The runtime prefixes the
 * policy's description, so a message never repeats the rule.
 */

function sentence(s: string): string {
    const t = s.trim();
    const capital = t.charAt(0).toUpperCase() + t.slice(1);
    return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** `"<Problem>. <Fix>."` */
export function violation(problem: string, fix: string): string {
    return `${sentence(problem)} ${sentence(fix)}`;
}
