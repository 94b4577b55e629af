import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Generous: the suite must pass on a loaded machine; tests wait for signals, not for time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
