/**
 * The identity and audit screens in JupyterLab: three commands, each
 * opening its screen as one main-area tab (a second call brings the open
 * tab to the front), listed in the command palette ("Workbench") and the
 * Settings menu. Users and Audit are admin screens: their commands are
 * hidden and disabled unless `GET api/me` says the user has the admin
 * role. That only tidies the interface; the server refuses non-admins
 * (403) on every request of those screens whatever the page does.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { listIcon, refreshIcon, ToolbarButton, userIcon, usersIcon, type LabIcon } from '@jupyterlab/ui-components';
import { AdminClient, AuditPanel, TokensPanel, UsersPanel, type AdminScreen, type Me } from '@workbench/admin';
import { ADMIN_ROLE, CommandIDs, PLUGIN_ID, WIDGET_IDS, type ScreenName } from './ids';

const CATEGORY = 'Workbench';

interface ScreenSpec {
  label: string;
  caption: string;
  icon: LabIcon;
  adminOnly: boolean;
}

const SCREENS: Record<ScreenName, ScreenSpec> = {
  tokens: { label: 'API Tokens', caption: 'Create and revoke your personal API tokens', icon: userIcon, adminOnly: false },
  users: { label: 'Users and Roles', caption: 'Set the roles of users and disable them (admins)', icon: usersIcon, adminOnly: true },
  audit: { label: 'Audit Log', caption: 'Search, verify and export the audit log (admins)', icon: listIcon, adminOnly: true },
};

const ORDER: ScreenName[] = ['tokens', 'users', 'audit'];

function activate(app: JupyterFrontEnd, palette: ICommandPalette | null, mainMenu: IMainMenu | null): void {
  const client = new AdminClient({ serverSettings: app.serviceManager.serverSettings });
  let me: Me | null = null;
  const isAdmin = () => me !== null && me.roles.includes(ADMIN_ROLE);
  const allowed = (name: ScreenName) => !SCREENS[name].adminOnly || isAdmin();

  // Until /api/me answers, the admin commands stay hidden; then menus and palette update.
  void client.me().then(
    (answer) => {
      me = answer;
      for (const name of ORDER) app.commands.notifyCommandChanged(CommandIDs[name]);
    },
    (err: unknown) => console.warn(`${PLUGIN_ID}: cannot read /api/me, so the admin screens stay hidden:`, err),
  );

  const open = new Map<ScreenName, MainAreaWidget<AdminScreen>>();

  const create = (name: ScreenName): AdminScreen => {
    switch (name) {
      case 'tokens':
        return new TokensPanel({ client });
      case 'users':
        return new UsersPanel({ client, self: me?.identity.username });
      case 'audit':
        return new AuditPanel({ client });
    }
  };

  const openScreen = (name: ScreenName): MainAreaWidget<AdminScreen> => {
    let widget = open.get(name);
    if (!widget || widget.isDisposed) {
      const spec = SCREENS[name];
      const content = create(name);
      widget = new MainAreaWidget({ content });
      widget.id = WIDGET_IDS[name];
      widget.addClass('wb-admin-main');
      widget.title.label = spec.label;
      widget.title.caption = spec.caption;
      widget.title.icon = spec.icon;
      widget.title.closable = true;
      widget.toolbar.addItem('refresh', new ToolbarButton({ icon: refreshIcon, tooltip: `Reload ${spec.label}`, className: 'wb-admin-refresh', onClick: () => void content.refresh() }));
      open.set(name, widget);
    }
    if (!widget.isAttached) app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    return widget;
  };

  for (const name of ORDER) {
    const spec = SCREENS[name];
    app.commands.addCommand(CommandIDs[name], {
      label: spec.label,
      caption: spec.caption,
      icon: (args) => (args.isPalette ? undefined : spec.icon),
      isVisible: () => allowed(name),
      isEnabled: () => allowed(name),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: async () => {
        if (!allowed(name)) return;
        await openScreen(name).content.pending;
      },
    });
    palette?.addItem({ command: CommandIDs[name], category: CATEGORY });
  }
  mainMenu?.settingsMenu.addGroup(
    ORDER.map((name) => ({ command: CommandIDs[name] })),
    90,
  );
}

export const adminPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'API tokens, users and roles, and the audit log, as main-area screens.',
  autoStart: true,
  optional: [ICommandPalette, IMainMenu],
  activate,
};
