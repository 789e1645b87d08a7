// Where the local stack finds its inputs and keeps its state. Everything is
// resolved from this file's location, so it works from any working directory.
import path from 'node:path';

/** The repository root (the folder holding package.json and wrangler.toml). */
export const repoRoot = path.resolve(import.meta.dirname, '..');

/** The public trace samples the origin shim serves (see SOURCES.md there). */
export const defaultTracesDir = path.resolve(repoRoot, '../shared/traces');

/** Local state that survives restarts (gitignored): IdP key, wrangler state. */
export const localStateDir = path.join(repoRoot, '.tracegate-local');
