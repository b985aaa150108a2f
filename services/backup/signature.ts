/**
 * Backup signatures: HMAC-SHA256, keyed with `BACKUP_KEY`, over the exact bytes of
 * backup.json. The manifest holds every other file's size and sha256 and each is checked
 * as it is unpacked, so a valid signature covers the whole backup: anyone who changes a
 * file must change the manifest, and cannot sign it again without the key.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The signature's name: the archive's second entry, right after backup.json. */
export const SIGNATURE_NAME = "backup.json.sig";

const PREFIX = "hmac-sha256:";

/** Largest signature entry read (the line is 77 bytes). */
export const MAX_SIGNATURE_BYTES = 256;

/** The signature file's text for `manifest` (the bytes of backup.json). */
export function signManifest(manifest: Uint8Array, key: string): string {
  return `${PREFIX}${createHmac("sha256", key).update(manifest).digest("hex")}\n`;
}

/** Whether `signature` (a signature file's text) signs `manifest` with `key`. */
export function verifyManifest(manifest: Uint8Array, signature: string, key: string): boolean {
  const expected = new TextEncoder().encode(signManifest(manifest, key).trim());
  const given = new TextEncoder().encode(signature.trim());
  return given.byteLength === expected.byteLength && timingSafeEqual(given, expected);
}
