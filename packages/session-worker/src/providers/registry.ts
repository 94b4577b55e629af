import type { ModelId } from '@shoal/shared';
import { ModelCallError } from './model-call-error.js';
import type { ModelInfo, ModelProvider } from './model-provider.js';
import { SIMULATED_PROVIDER_ID, type SimulatedModelOptions, SimulatedProvider } from './simulated.js';

/** Credentials/endpoint of a hosted provider. Absent apiKey → the SDK's environment variable. */
export interface HostedProviderOptions {
  apiKey?: string;
  baseURL?: string;
  /** SDK retries of failed requests; default 2 (the SDK default). Tests set 0. */
  maxRetries?: number;
  /** Per-request timeout in ms; default the SDK's. */
  timeoutMs?: number;
}

/**
 * api.md `RuntimeOptions.providers`. Plain structured-cloneable data: it is posted to every worker thread,
 * which builds its own registry from it.
 */
export interface ProviderOptions {
  /** Always available, also when not listed. */
  simulated?: SimulatedModelOptions;
  anthropic?: HostedProviderOptions;
  openai?: HostedProviderOptions;
}

/** The providers of one thread, picked by `ModelId.provider` (spec §1.2). */
export class ProviderRegistry {
  private readonly providers = new Map<string, ModelProvider>();

  constructor(options: ProviderOptions = {}, extra: readonly ModelProvider[] = []) {
    this.providers.set(SIMULATED_PROVIDER_ID, new SimulatedProvider(options.simulated ?? {}));
    // Test doubles or embedder-supplied providers; they may replace a built-in of the same id.
    for (const p of extra) this.providers.set(p.id, p);
  }

  has(providerId: string): boolean {
    return this.providers.has(providerId);
  }

  ids(): string[] {
    return [...this.providers.keys()];
  }

  /** Throws ModelCallError(configuration) for a provider that is not configured. */
  get(providerId: string): ModelProvider {
    const p = this.providers.get(providerId);
    if (!p) {
      throw ModelCallError.requestStartFailed(
        'configuration',
        `model provider '${providerId}' is not configured (configured: ${this.ids().join(', ')})`,
      );
    }
    return p;
  }

  /** spec §5.1 step 1: window and max-output for a model; both absent for an unknown provider. */
  modelInfo(modelId: ModelId): ModelInfo {
    return this.providers.get(modelId.provider)?.modelInfo(modelId.id) ?? {};
  }
}
