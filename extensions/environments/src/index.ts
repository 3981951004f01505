/**
 * @workbench/environments-ui: projects' Python environments in JupyterLab:
 * the client of `api/environments` (server/environments) and the Python
 * Environments screen. The JupyterLab wiring is
 * @workbench/environments-extension.
 */
export * from './types';
export { EnvironmentsError, environmentsErrors, errorFromResponse, errorText, networkError } from './environments-api';
export { EnvironmentsClient } from './environments-client';
export type { EnvironmentsClientOptions } from './environments-client';
export { readAbilities, readEnvironments, readPruned } from './validate';
export { EnvironmentsScreen } from './environments-screen';
export type { EnvironmentsScreenOptions } from './environments-screen';
