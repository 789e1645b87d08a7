// CSV cells for the audit export: RFC 4180 quoting, plus a defence against
// formula injection (OWASP "CSV Injection"): a text cell that a spreadsheet
// would read as a formula (starting with = + - @, or a tab or carriage
// return) is prefixed with an apostrophe, so it is shown as text. Numbers are
// written as numbers; only text cells are touched.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated (RFC 4180 §2). */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
