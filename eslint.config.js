import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The replay engine must be deterministic: no I/O, no clock, no randomness (DESIGN.md, lesson 2).
export const coreRestrictions = {
  files: ['src/core/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'timers', 'worker_threads'], message: 'src/core is pure: no Node.js modules.' },
        { group: ['../runtime/*', '../backend/*', '../client/*', '../http/*', '../cli/*'], message: 'src/core depends on nothing outside itself.' },
      ],
    }],
    'no-restricted-globals': ['error',
      { name: 'setTimeout', message: 'Durable timers come from the context (createTimer).' },
      { name: 'setInterval', message: 'No timers in the replay engine.' },
      { name: 'setImmediate', message: 'No scheduling in the replay engine.' },
      { name: 'process', message: 'No process access in the replay engine.' },
      { name: 'fetch', message: 'No I/O in the replay engine.' },
      { name: 'performance', message: 'No clock in the replay engine.' },
      { name: 'crypto', message: 'No randomness in the replay engine.' },
    ],
    'no-restricted-properties': ['error',
      { object: 'Math', property: 'random', message: 'Use context.newGuid() for ids; the engine is deterministic.' },
      { object: 'Date', property: 'now', message: 'Time comes from the history (context.currentUtcDateTime).' },
    ],
    'no-restricted-syntax': ['error',
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the clock; time comes from the history.' },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'bench/peers/**', 'eslint.config.js', 'scripts/*.js', 'src/dashboard/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  coreRestrictions,
);
