// The transport sits behind this interface, as the file format does behind UploadFormat, so
// that another one (an HTTPS upload API) can be added without touching the delivery pipeline.

export interface RemoteEntry {
  name: string;
  size: number;
}

/** One connection to the regulator's drop box. */
export interface TransportSession {
  /** The size of `name` in the upload directory, or null when there is no such file. */
  sizeOf(name: string): Promise<number | null>;
  /**
   * Sends the local file to `<name>.part` (replacing any left by a crashed attempt), checks the
   * remote size against `bytes`, then renames it to `name`. Returns the remote path.
   */
  send(localPath: string, name: string, bytes: number): Promise<string>;
  /** The regular files of the acknowledgement directory. */
  listAcks(): Promise<RemoteEntry[]>;
  /** Copies an acknowledgement file to a local path. */
  fetchAck(name: string, localPath: string): Promise<void>;
  close(): Promise<void>;
}

export interface Transport {
  /** Where files go, for messages (never a secret). */
  readonly describe: string;
  open(): Promise<TransportSession>;
}

export type TransportProblem = 'host-key' | 'authentication' | 'key-file' | 'timeout' | 'connection' | 'transfer';

/** A failed transport step; `permanent` ones stop the delivery at once (retrying would not help). */
export class TransportError extends Error {
  readonly problem: TransportProblem;
  readonly permanent: boolean;
  constructor(problem: TransportProblem, message: string) {
    super(message);
    this.problem = problem;
    this.permanent = problem === 'host-key' || problem === 'authentication' || problem === 'key-file';
  }
}
