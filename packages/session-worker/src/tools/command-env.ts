/**
 * The environment a model-driven command sees. Only allowlisted variables pass: a denylist of
 * credential-looking names always misses some (`DATABASE_URL`, `GITHUB_PAT`, `AWS_SECRET_ACCESS_KEY`), and the
 * runtime's own environment holds provider keys. An entry is an exact name or a prefix ending in `*`.
 */
export const DEFAULT_ENV_ALLOWLIST: readonly string[] = Object.freeze([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TERM',
  'TZ',
  'TMPDIR',
]);

/** Operators replace the default allowlist with this variable: comma-separated names or `PREFIX*` entries. */
export const ENV_ALLOWLIST_VARIABLE = 'SHOAL_BASH_ENV_ALLOWLIST';

/** The allowlist in force: `SHOAL_BASH_ENV_ALLOWLIST` when set (may be empty), else DEFAULT_ENV_ALLOWLIST. */
export function configuredEnvAllowlist(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const raw = env[ENV_ALLOWLIST_VARIABLE];
  if (raw === undefined) return DEFAULT_ENV_ALLOWLIST;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Whether `name` is allowed by `allowlist` (exact names, or prefixes written `PREFIX*`). */
export function isAllowed(name: string, allowlist: readonly string[]): boolean {
  for (const entry of allowlist) {
    if (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry) return true;
  }
  return false;
}

/** The variables of `env` the allowlist lets through (undefined values dropped). */
export function allowlistedEnv(
  env: NodeJS.ProcessEnv = process.env,
  allowlist: readonly string[] = configuredEnvAllowlist(env),
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isAllowed(name, allowlist)) out[name] = value;
  }
  return out;
}
