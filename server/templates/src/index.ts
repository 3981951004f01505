export { TemplateLibrary, type TemplateInfo, type TemplateVersionInfo, type TemplateWorkspace, type TemplateLibraryOptions, type SaveRequest, type InstallResult } from './template-library';
export type { TemplateDiff, FileDiff, ManifestChange } from './template-diff';
export { parseManifest, PARAMETER_TYPES, TEMPLATE_NAME, type TemplateManifest, type TemplateParameter, type TemplateParameterType } from './manifest';
export { resolveValues, coerceValue, type ConnectionLookup, type ParameterValue } from './parameter-values';
export { renderFiles, undeclaredNames, type TemplateFile, type RenderContext } from './render-files';
