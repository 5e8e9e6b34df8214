import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: a busy 2-core machine (two suites side by side) runs synth, JVMs and browsers slowly.
    // Tests that wait on a subprocess set their own, longer limits and wait on readiness.
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // Two workers even on 2 cores (vitest's default would be cores - 1 = 1): most of the long files
    // wait on subprocesses, JVMs, browsers and timers, so two overlap well; the limits above are
    // generous enough for two suites side by side.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
