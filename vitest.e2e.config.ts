import { defineConfig } from 'vitest/config';

// The end-to-end suite: the real built renderer in Chromium, and Electron where a binary exists.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
