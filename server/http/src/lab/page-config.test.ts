import { buildPageConfig, PageConfigInput } from './page-config';

const input: PageConfigInput = {
  baseUrl: '/user/ada/',
  appName: 'JupyterLab',
  appVersion: '4.6.4',
  serverVersion: '2.14.2',
  serverRoot: '/srv/ws',
  token: '',
  treePath: 'a.ipynb',
  workspace: 'default',
  mode: 'multiple-document',
  exposeAppInBrowser: false,
  terminalsAvailable: false,
  quitButton: false,
  disabledExtensions: [],
};

describe('PageConfig', () => {
  it('keeps xxxUrl relative to the base URL and puts the base URL in fullXxxUrl', () => {
    const pc = buildPageConfig(input);
    expect(pc).toMatchObject({
      baseUrl: '/user/ada/',
      // @jupyterlab/services requests baseUrl + appUrl + "/api/settings": appUrl must not repeat the base.
      appUrl: '/lab',
      fullAppUrl: '/user/ada/lab',
      fullStaticUrl: '/user/ada/static/lab',
      settingsUrl: '/lab/api/settings',
      fullSettingsUrl: '/user/ada/lab/api/settings',
      fullThemesUrl: '/user/ada/lab/api/themes',
      fullWorkspacesApiUrl: '/user/ada/lab/api/workspaces',
      fullTranslationsApiUrl: '/user/ada/lab/api/translations',
      fullListingsUrl: '/user/ada/lab/api/listings',
      fullLabextensionsUrl: '/user/ada/lab/extensions',
      fullTreeUrl: '/user/ada/lab/tree',
      notebookVersion: '[2,14,2]',
      terminalsAvailable: false,
      treePath: 'a.ipynb',
    });
  });
});
