// Argument parsing for one command, on node:util parseArgs (strict: unknown
// flags are usage errors, never silently ignored).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from './duration.ts';
import { UsageError } from './context.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommand(command: string, argv: readonly string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

export function stringValue(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** A duration flag in seconds (`90s`, `15m`, `1h`), or the default. */
export function durationValue(
  parsed: Parsed,
  name: string,
  command: string,
  fallback: number,
): number {
  const text = stringValue(parsed, name);
  if (text === undefined) return fallback;
  const seconds = parseDuration(text);
  if (seconds === undefined)
    throw new UsageError(`--${name}: "${text}" is not a duration (like 90s, 15m, 1h)`, command);
  return seconds;
}

export function requirePositionals(
  parsed: Parsed,
  names: readonly string[],
  command: string,
): string[] {
  if (parsed.positionals.length < names.length) {
    const missing = names.slice(parsed.positionals.length).map((n) => `<${n}>`);
    throw new UsageError(`missing ${missing.join(' ')}`, command);
  }
  if (parsed.positionals.length > names.length) {
    throw new UsageError(
      `unexpected argument "${parsed.positionals[names.length] ?? ''}"`,
      command,
    );
  }
  return parsed.positionals;
}

export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
  command: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name}: one of ${allowed.join(', ')}`, command);
}
