import type { ModelId } from '@shoal/shared';
import { AnthropicProvider } from './anthropic.js';
import { ModelCallError } from './model-call-error.js';
import type { ModelInfo, ModelProvider } from './model-provider.js';
import { OpenAIProvider } from './openai.js';
import type { ProviderOptions } from './provider-options.js';
import { SIMULATED_PROVIDER_ID, SimulatedProvider } from './simulated.js';

export type { HostedProviderOptions, ProviderOptions } from './provider-options.js';

/** The providers of one thread, picked by `ModelId.provider` (spec §1.2). */
export class ProviderRegistry {
  private readonly providers = new Map<string, ModelProvider>();

  constructor(options: ProviderOptions = {}, extra: readonly ModelProvider[] = []) {
    this.providers.set(SIMULATED_PROVIDER_ID, new SimulatedProvider(options.simulated ?? {}));
    if (options.anthropic) this.providers.set('anthropic', new AnthropicProvider(options.anthropic));
    if (options.openai) this.providers.set('openai', new OpenAIProvider(options.openai));
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
