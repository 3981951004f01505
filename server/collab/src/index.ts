export { CollaborationService, GLOBAL_AWARENESS_ROOM, CLOSE_SESSION_MISMATCH, CLOSE_BAD_REQUEST, CLOSE_NOT_FOUND, CLOSE_INTERNAL, sessionClosePayload } from './collaboration-service';
export type { CollaborationServiceOptions, SessionModel } from './collaboration-service';
export { contentsPortFor, systemTimers } from './contents-port';
export type { ContentsPort, ContentsSnapshot, ContentsManagerLike, DocType, Timers } from './contents-port';
export { DocumentRoom } from './room';
export type { SaveStatus } from './room';
export { FileIds } from './file-ids';
export { DocStore } from './doc-store';
export { MESSAGE_SYNC, MESSAGE_AWARENESS, MESSAGE_RAW } from './websocket';

/** The JupyterLab extensions that make documents collaborative; the page disables them when RTC is off. */
export const COLLABORATION_PLUGINS: readonly string[] = ['@jupyter/collaboration-extension', '@jupyter/docprovider-extension'];
/** ESM loading that shares the one Yjs (for programs and tests that make their own clients). */
export { loadEsm, jupyterYDoc, Y } from './yjs';
