/**
 * Names in a log come from whoever built the run — file names, filter, thread and process names, a
 * trace file somebody attached to a bug report — and may hold any Unicode. Every export escapes
 * them here, so a name can never add a line to a text trace or a statement to a diagram.
 */

/**
 * One printable line: control characters (C0, DEL, C1) and the Unicode line and paragraph
 * separators become `\n`, `\t`, `\r` or `\u{…}`; a backslash stays as it is (Windows paths).
 */
export function printableLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u{${c.codePointAt(0)!.toString(16)}}`;
  });
}

/**
 * Text inside a Mermaid statement (a participant's label, a message, a note): everything outside a
 * small safe set becomes a Mermaid entity code `#<decimal>;`, which renders as the character itself.
 * That covers `;` and `#` (statement and entity syntax), `:` (message separator), line breaks, and
 * `<`, `>`, `&`, quotes (markup in the rendered SVG).
 */
export function mermaidText(text: string): string {
  return text.replace(/[^A-Za-z0-9 _.,()\\/@=+\-[\]{}]/gu, (c) => `#${c.codePointAt(0)};`);
}
