/** A bad setting (flag, environment variable or keys file); the CLI exits 2 with `setting` in its message. */
export class HostConfigError extends Error {
  override readonly name = 'HostConfigError';
  constructor(
    /** the flag or variable at fault, e.g. `--port` or `SHOAL_API_KEYS` */
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}
