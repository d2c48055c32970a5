import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests that extract real archives make sandboxes under the OS temp dir;
    // two workers match the two cores of the machines we run on.
    maxWorkers: 2,
    // Off by default; `npm run coverage` and CI turn it on (--coverage.enabled) in the same run
    // as the tests, so the suite runs once. Only the vetting and writing modules are measured.
    coverage: {
      provider: 'v8',
      enabled: false,
      include: ['src/vet/**', 'src/write/**'],
      reporter: [['text', { maxCols: 120 }]],
    },
  },
});
