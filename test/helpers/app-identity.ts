import { generateKeyPairSync } from "node:crypto";

/**
 * The test App's identity, free of nock: integration tests that spawn real servers import it
 * without installing nock's global HTTP interceptors, which outlive their test file under
 * `--runInBand` and break the plain HTTP requests of the files after it.
 */
export const APP_ID = 123;
export const INSTALLATION_ID = 2;

let cachedKey: string | undefined;
/** A real RSA key, made once per test file: the App's JWT is really signed. */
export function privateKey(): string {
  cachedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return cachedKey;
}
