/**
 * The logger interface every package takes through its options. server/app
 * supplies a pino logger; tests may pass `silentLogger`. Fields first, then
 * the message, as in pino.
 */
export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  child(bindings: object): Logger;
  /** pino's: lets hot paths skip building fields nobody will see. Absent means "assume enabled". */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
