import {
  type Action,
  type AppState,
  createAppState,
  type EffectOf,
  type Message,
  systemDeps,
} from '@shoal/shared';
import { pino } from 'pino';
import type { SessionActor } from '../actor/session-actor.js';
import type { DeltaSink } from '../effects/delta-sink.js';
import { EffectInterpreter } from '../effects/effect-interpreter.js';
import { ProviderRegistry } from '../providers/registry.js';
import { ToolExecutor } from '../tools/tool-executor.js';
import type { ProviderDouble } from './provider-double.js';
import { nowSeconds } from './shard-harness.js';

const noDeltas: DeltaSink = { wants: () => false, push: () => {}, flush: () => {} };

/** A `CallModel` effect for session s1 asking the double provider for one reply to "hi". */
export const callModelEffect = (opId: string): EffectOf<'CallModel'> => ({
  type: 'CallModel',
  sessionId: 's1',
  opId,
  model: { provider: 'double', id: 'm' },
  messages: [userMessage('hi')],
  systemContext: undefined,
  tools: [],
});

/** An interpreter bound to a stand-in actor that records the internal actions it is sent. */
export function bareInterpreter(provider: ProviderDouble, state: AppState = createAppState('s1')) {
  const posted: Action[] = [];
  const actor = {
    sessionId: state.sessionId,
    get appState() {
      return state;
    },
    post: (a: Action) => posted.push(a),
    logger: pino({ level: 'silent' }),
  } as unknown as SessionActor;
  const interpreter = new EffectInterpreter(actor, {
    providers: new ProviderRegistry({}, [provider]),
    tools: new ToolExecutor(),
    deps: systemDeps,
    deltas: noDeltas,
    visibleTools: () => new ToolExecutor().schemas(),
  });
  return { interpreter, posted };
}

export const userMessage = (text: string): Message => ({
  role: 'user',
  id: 'u1',
  parentMessageId: null,
  timestamp: nowSeconds(),
  content: [{ type: 'text', text }],
});
