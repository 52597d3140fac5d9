/**
 * A disk that can fill up: its `beforeWrite` (for JsonStore's test-only seam) throws the error Node gives for
 * a write to a full file system while `full` is set.
 */
export class FullDisk {
  full = false;
  /** Writes refused since the start. */
  refused = 0;

  readonly beforeWrite = (file: string): void => {
    if (!this.full) return;
    this.refused++;
    throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), {
      errno: -28,
      code: 'ENOSPC',
      syscall: 'write',
      path: file,
    });
  };
}
