import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The replay engine must be deterministic: no I/O, no clock, no randomness, since every step replays the
// history through the code and must make the same decisions each time (docs/determinism.md).

/** The static name of a member access (`Date.now`, `Math['random']`), or undefined when it is computed. */
function memberName(member) {
  if (!member.computed && member.property.type === 'Identifier') return member.property.name;
  if (member.computed && member.property.type === 'Literal') return String(member.property.value);
  return undefined;
}

/** `Date` as `new Date(value)`, `Date.parse`, `Date.UTC` or `x instanceof Date`; anything else can reach the clock. */
function dateProblem(identifier) {
  const parent = identifier.parent;
  if (parent.type === 'NewExpression' && parent.callee === identifier) {
    const withValue = parent.arguments.length > 0 && parent.arguments.every((argument) => argument.type !== 'SpreadElement');
    return withValue ? undefined : 'dateWithoutValue';
  }
  if (parent.type === 'CallExpression' && parent.callee === identifier) return 'dateCalled';
  if (parent.type === 'BinaryExpression' && parent.operator === 'instanceof' && parent.right === identifier) return undefined;
  if (parent.type === 'MemberExpression' && parent.object === identifier) {
    const name = memberName(parent);
    if (name === 'parse' || name === 'UTC') return undefined;
    return name === 'now' ? 'dateNow' : 'dateEscapes';
  }
  return 'dateEscapes';
}

/** `Math` only as `Math.<name>` other than random: an alias or a computed member could be random. */
function mathProblem(identifier) {
  const parent = identifier.parent;
  if (parent.type !== 'MemberExpression' || parent.object !== identifier) return 'mathEscapes';
  const name = memberName(parent);
  if (name === undefined) return 'mathEscapes';
  return name === 'random' ? 'mathRandom' : undefined;
}

const problemOf = { Date: dateProblem, Math: mathProblem };

/**
 * Checks every value reference to the global Date and Math by scope, not by syntax, so aliases and
 * destructuring are caught and a local variable or a type named Date is not.
 */
const clockAndRandomness = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      dateNow: 'Date.now reads the clock: time comes from the history (context.currentUtcDateTime).',
      dateWithoutValue: 'new Date() reads the clock; time comes from the history (context.currentUtcDateTime).',
      dateCalled: 'Date() reads the clock; time comes from the history (context.currentUtcDateTime).',
      dateEscapes: 'src/core uses Date only as new Date(value), Date.parse, Date.UTC or instanceof Date: any other use can read the clock.',
      mathRandom: 'Math.random is not replayable: use context.newGuid() for ids; the engine is deterministic.',
      mathEscapes: 'src/core uses Math only as Math.<name> (not random): an alias or computed member could be Math.random; use context.newGuid() for ids.',
    },
  },
  create(context) {
    return {
      'Program:exit'(program) {
        const globalScope = context.sourceCode.getScope(program);
        // A global is either declared (ESLint's globals, TypeScript's lib) or left unresolved in `through`.
        const declared = Object.keys(problemOf).flatMap((name) => globalScope.set.get(name)?.references ?? []);
        const unresolved = globalScope.through.filter((reference) => Object.hasOwn(problemOf, reference.identifier.name));
        for (const reference of [...declared, ...unresolved]) {
          if (reference.isTypeReference && !reference.isValueReference) continue;
          const messageId = problemOf[reference.identifier.name](reference.identifier);
          if (messageId) context.report({ node: reference.identifier, messageId });
        }
      },
    };
  },
};

export const coreRestrictions = {
  files: ['src/core/**/*.ts'],
  plugins: { 'core-purity': { rules: { 'clock-and-randomness': clockAndRandomness } } },
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{
        // An allow-list: modules of src/core (./...) and ../errors.js, which imports only types from core.
        regex: '^(?!\\./(?!.*\\.\\./)|\\.\\./errors\\.js$)',
        caseSensitive: true,
        message: 'src/core is pure: it imports only its own modules and ../errors.js, no Node.js modules, no packages, nothing else from src (../config.js reads the environment and the disk).',
      }],
    }],
    'no-restricted-globals': ['error',
      { name: 'setTimeout', message: 'Durable timers come from the context (createTimer).' },
      { name: 'setInterval', message: 'No timers in the replay engine.' },
      { name: 'setImmediate', message: 'No scheduling in the replay engine.' },
      { name: 'queueMicrotask', message: 'No scheduling in the replay engine.' },
      { name: 'process', message: 'No process access in the replay engine.' },
      { name: 'fetch', message: 'No I/O in the replay engine.' },
      { name: 'performance', message: 'No clock in the replay engine.' },
      ...['Intl', 'Temporal'].map((name) => ({ name, message: 'No clock in the replay engine: Intl formats the current time by default, Temporal.Now reads it.' })),
      { name: 'crypto', message: 'No randomness in the replay engine: use context.newGuid().' },
      ...['globalThis', 'global', 'window', 'self'].map((name) => ({ name, message: 'No global object in the replay engine: through it every other fence is open.' })),
      { name: 'eval', message: 'No evaluated code in the replay engine: the fence cannot see into it.' },
      { name: 'Function', message: 'No evaluated code in the replay engine: the fence cannot see into it.' },
    ],
    'no-restricted-syntax': ['error',
      { selector: 'ImportExpression', message: 'No dynamic import in the replay engine: it escapes the import allow-list.' },
    ],
    'core-purity/clock-and-randomness': 'error',
  },
};

/**
 * The dashboard (src/dashboard) runs in the browser and talks to taskhub only over the HTTP API: it imports
 * its own modules and its npm packages, nothing else from src. Preact's hooks follow React's rules.
 */
export const dashboardRules = {
  files: ['src/dashboard/**/*.ts', 'src/dashboard/**/*.tsx'],
  plugins: { 'react-hooks': reactHooks },
  rules: {
    'react-hooks/rules-of-hooks': 'error',
    'react-hooks/exhaustive-deps': 'error',
    'no-restricted-imports': ['error', {
      patterns: [{
        regex: '^(\\.\\./)+(authoring|backend|cli|client|core|http|runtime|testing)(/|$)|^(\\.\\./)+(config|errors|index|limits|taskhub)\\.js$',
        message: 'the dashboard talks to taskhub only through the HTTP API (src/dashboard/api): it imports nothing else from src.',
      }],
    }],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'bench/peers/**', 'eslint.config.js', 'scripts/*.js'] },
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
  dashboardRules,
);
