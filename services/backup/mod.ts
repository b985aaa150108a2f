/** Backups of the database and the model files, and restoring them. */
export { type BackupTarget, createBackup } from "./create.ts";
export {
  restoreBackup,
  RestoreRefusedError,
  type RestoreReport,
  type RestoreTarget,
} from "./restore.ts";
export { BackupFileError, type SignatureCheck } from "./archive.ts";
export { SIGNATURE_NAME } from "./signature.ts";
export { type BackupManifest, MANIFEST_NAME } from "./manifest.ts";
