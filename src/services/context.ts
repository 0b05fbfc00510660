import type { Db, Tx } from "../storage/database.js";
import { isRetryable, translateDatabaseError } from "../storage/errors.js";

/** What every use case needs: the database, the clock, and the service-wide warning window. */
export interface ServiceContext {
  db: Db;
  clock: () => Date;
  warningDays: number;
  /** For signed credentials; without it organizations get their key when first needed. */
  credentials?: CredentialSettings;
}

export interface CredentialSettings {
  /** 32 bytes: AES-256-GCM key of the organizations' private signing keys at rest. */
  keyEncryptionKey: Buffer;
  /** Base of the status list URLs and the issuer profile's url (CERTSVC_PUBLIC_URL). */
  publicUrl: string;
}

/** Runs `work` again after a deadlock or serialization failure, up to three attempts in all. */
export async function retryingConflicts<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt < 3 && isRetryable(error)) continue;
      throw error;
    }
  }
}

/**
 * Runs `work` in one transaction: everything it writes (record, audit event, jobs) commits
 * together or not at all. Deadlocks are retried; database refusals a caller can cause come out
 * as the contract's codes.
 */
export async function inTransaction<T>(ctx: ServiceContext, work: (trx: Tx) => Promise<T>): Promise<T> {
  try {
    return await retryingConflicts(() => ctx.db.transaction().execute(work));
  } catch (error) {
    throw translateDatabaseError(error);
  }
}
