import { describe, expect, it } from 'vitest';
import {
  atext,
  createdState,
  Driver,
  effectTypes,
  eventTypes,
  response,
  userInput,
} from './test-support/fixtures.js';

describe('smoke', () => {
  it('runs a turn', () => {
    const d = new Driver(createdState().state);
    const r1 = d.run(userInput('Hello', 'op1'));
    expect(eventTypes(r1)).toEqual(['UserMessageAdded', 'OperationStarted']);
    expect(effectTypes(r1)).toEqual(['CallModel', 'GenerateSessionTitle']);
    const r2 = d.run(response('op1', 'a1', [atext('hi')]));
    expect(eventTypes(r2)).toEqual(['AssistantMessageAdded', 'OperationCompleted']);
  });
});
