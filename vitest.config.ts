import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests that extract real archives make sandboxes under the OS temp dir;
    // two workers match the two cores of the machines we run on.
    maxWorkers: 2,
  },
});
