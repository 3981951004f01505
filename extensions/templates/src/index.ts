/**
 * @workbench/templates-ui: the templates library in JupyterLab: the
 * client of `api/templates` (server/templates), the install dialog with a
 * field per parameter, and the Save as Template dialog with its parameters
 * editor (suggested from a notebook's parameters cell). The JupyterLab
 * wiring lives in @workbench/templates-extension.
 */
export * from './types';
export { errorFromResponse, errorText, networkError, TemplatesError, templatesErrors } from './templates-api';
export { TemplatesClient } from './templates-client';
export type { RequestOptions, TemplatesClientOptions } from './templates-client';
export { readAbilities, readConnections, readInstall, readTemplate, readTemplateDiff, readTemplates, readVersions } from './validate';
export { TemplateHistory } from './template-history';
export { manifestChangeText } from './template-changes';
export type { TemplateHistoryOptions } from './template-history';
export { ParameterField } from './parameter-field';
export { mayDelete, showInstallDialog, sourceText } from './install-dialog';
export type { InstallDialogOptions } from './install-dialog';
export { guessParameters } from './detect-parameters';
export type { GuessedParameter } from './detect-parameters';
export { ParametersEditor } from './parameters-editor';
export { showSaveTemplateDialog } from './save-dialog';
