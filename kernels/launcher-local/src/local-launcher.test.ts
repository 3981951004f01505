import { describeLauncherContract } from '@workbench/launcher/contract';
import { LocalLauncher } from './local-launcher';

describeLauncherContract('local', (runtimeDir) => new LocalLauncher({ runtimeDir }));
