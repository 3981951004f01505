/** One jest run over every workspace; tests live beside the code as *.test.ts. */
const path = require('node:path');
const workspaces = require('./package.json').workspaces;

const moduleNameMapper = {};
for (const ws of workspaces) {
  const pkg = require(path.join(__dirname, ws, 'package.json'));
  moduleNameMapper[`^${pkg.name.replace('/', '\\/')}$`] = `<rootDir>/${ws}/src/index.ts`;
  moduleNameMapper[`^${pkg.name.replace('/', '\\/')}/(?!package\\.json$)(.*)$`] = `<rootDir>/${ws}/src/$1.ts`;
}

module.exports = {
  testEnvironment: 'node',
  roots: workspaces.map((w) => `<rootDir>/${w}/src`).concat(['<rootDir>/bench']),
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json', diagnostics: false }],
  },
  moduleNameMapper,
  setupFiles: ['<rootDir>/scripts/jest-realm.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
