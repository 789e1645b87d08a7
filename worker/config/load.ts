// Parses and validates the YAML configuration, with errors that name the field.
import { parse as parseYaml } from 'yaml';
import { gatewayConfigSchema, type GatewayConfig } from './schema.ts';

export class ConfigError extends TypeError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid Tracegate configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Parses YAML text into a validated configuration, or throws ConfigError. */
export function parseGatewayConfig(yamlText: string): GatewayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText, { strict: true, uniqueKeys: true });
  } catch (error) {
    throw new ConfigError([
      `YAML syntax: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  return validateGatewayConfig(raw);
}

export function validateGatewayConfig(raw: unknown): GatewayConfig {
  const result = gatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`),
    );
  }
  return result.data;
}
