import type { SimulatedModelOptions } from './simulated.js';

/** Credentials/endpoint of a hosted provider. Absent apiKey → the SDK's environment variable. */
export interface HostedProviderOptions {
  apiKey?: string;
  baseURL?: string;
  /** SDK retries of a failed request (before its stream starts); default 2, the SDK default. Tests use 0. */
  maxRetries?: number;
  /** Per-request timeout in ms; default the SDK's (10 minutes). */
  timeoutMs?: number;
}

/**
 * api.md `RuntimeOptions.providers`. Plain structured-cloneable data: it is posted to every worker thread,
 * which builds its own ProviderRegistry from it.
 */
export interface ProviderOptions {
  /** Always available, also when not listed. */
  simulated?: SimulatedModelOptions;
  /** Listed = available (with `{}`, the key comes from ANTHROPIC_API_KEY). */
  anthropic?: HostedProviderOptions;
  /** Listed = available (with `{}`, the key comes from OPENAI_API_KEY). */
  openai?: HostedProviderOptions;
}

/** The client options both hosted SDKs take, from ours; the SDKs must never write to the console. */
export function sdkClientOptions(options: HostedProviderOptions): {
  apiKey?: string;
  baseURL?: string;
  maxRetries?: number;
  timeout?: number;
  logLevel: 'off';
} {
  return {
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    logLevel: 'off', // failures reach the caller as ModelCallError
  };
}
