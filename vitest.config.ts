import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Several suites bind UDP ports and start child processes; forks isolate them best.
    pool: 'forks',
  },
});
