// How dumps are restored: the restore's part of the run's settings (core/settings.ts defines and checks it; the
// restore layer calls it RestoreOptions).

export type { RestoreSettings as RestoreOptions } from "../core/settings.ts";
